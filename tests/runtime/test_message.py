"""Text made before a language is known: a ``Message`` is its English ``str`` (what ``str(exc)`` and the
exports read) and is written again in a reader's language, its placeholders (numbers, other messages, lists)
with it; it survives a pickle."""

import pickle

from core.automl.model import AutoMLError
from core.runtime.i18n import translator
from core.runtime.message import Joined, Message, Number, in_language

ES, EN = translator("es"), translator("en")


def test_a_message_is_its_english_text_and_translates_where_shown():
    message = Message(
        "{source}: {runs} runs is over the limit of {limit}", source="big.json", runs=20_001, limit=20_000
    )
    assert message == "big.json: 20,001 runs is over the limit of 20,000" and isinstance(message, str)
    assert message.text(ES) == "big.json: 20.001 ejecuciones superan el límite de 20.000"
    assert message.text(EN) == message.text() == str(message)


def test_placeholders_that_are_messages_numbers_or_lists_are_written_in_the_readers_language():
    kinds = Joined(
        [
            Message("numbers"),
            Message("objects of {kinds}", kinds=Joined([Message("lists"), Message("nulls")])),
        ]
    )
    assert in_language(kinds, EN) == "numbers and objects of lists and nulls"
    assert in_language(kinds, ES) == "números y objetos de listas y nulls"
    size = Message(
        "{name}: {size} MB is over the {limit} MB limit for a metrics file",
        name="f",
        size=Number(21, decimals=1),
        limit=Number(20, decimals=1),
    )
    assert size == "f: 21.0 MB is over the 20.0 MB limit for a metrics file"
    assert size.text(ES) == "f: 21,0 MB supera el límite de 20,0 MB para un archivo de métricas"
    assert in_language("as it is", ES) == "as it is" and in_language(3.5, ES) == "3,5"


def test_an_error_keeps_its_message_and_a_plain_one_reads_as_written():
    error = AutoMLError("{path}: no such file", path="/x.json")
    assert str(error) == "/x.json: no such file" and error.text(ES) == "/x.json: no existe ese archivo"
    plain = AutoMLError("not a message of the catalog {with braces}")
    assert str(plain) == plain.text(ES) == "not a message of the catalog {with braces}"
    assert AutoMLError(error.message).text(ES) == error.text(ES)  # a Message passed on keeps its language


def test_a_message_and_an_error_survive_a_pickle():
    message = Message("cached pull {name}", name="mlflow-1")
    again = pickle.loads(pickle.dumps(message))
    assert again == message and again.text(ES) == "descarga en caché mlflow-1"
    error = pickle.loads(pickle.dumps(AutoMLError("{path}: not a file", path="d")))
    assert str(error) == "d: not a file" and error.text(ES) == "d: no es un archivo"
