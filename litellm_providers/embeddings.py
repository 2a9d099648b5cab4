"""An ``/embeddings`` answer checked against what was sent: one finite vector per input, in input order."""

from __future__ import annotations

import array
import base64
import logging
import math
import sys
from typing import Any

from litellm.types.utils import (
    EmbeddingResponse,
    Usage,
)

from litellm_providers.readable import UnreadableAnswer, kind_of, usage_or_none

logger = logging.getLogger("litellm_providers")


def embedding_response_from_json(model: str, data: Any, sent: Any = None) -> EmbeddingResponse:
    """A LiteLLM ``EmbeddingResponse`` from an OpenAI-shaped ``/embeddings`` body, or ``UnreadableAnswer``.

    ``sent`` is the input the caller sent (a string, a list of strings, token ids, or a list of those):
    the answer must hold exactly one vector per input. Each vector's ``index`` (its position when
    absent) names a distinct input; the vectors come back in input order. A vector is a list of finite
    numbers, or with ``encoding_format="base64"`` a string of float32 values, which is decoded to check
    the same; all are of one kind and one length. Anything else is an answer no caller can use: one
    vector for two inputs would silently pair texts with the wrong vectors.
    """
    if not isinstance(data, dict):
        raise UnreadableAnswer(f"a body that is {kind_of(data)}, not a JSON object")
    items = data.get("data")
    if not isinstance(items, list):
        raise UnreadableAnswer(f"a body whose 'data' is {kind_of(items)}, not a list")
    expected = _embedding_input_count(sent)
    if expected is not None and len(items) != expected:
        raise UnreadableAnswer(f"{len(items)} embedding(s) for {expected} input(s)")
    vectors = _vectors_in_input_order(items)
    usage = usage_or_none(data.get("usage")) or {}
    prompt_tokens = usage.get("prompt_tokens") or 0
    return EmbeddingResponse(
        model=data.get("model") if isinstance(data.get("model"), str) else model,
        data=[{"object": "embedding", "index": i, "embedding": vector} for i, vector in enumerate(vectors)],
        usage=Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=0,
            total_tokens=usage.get("total_tokens") or prompt_tokens,
        ),
    )


def _embedding_input_count(sent: Any) -> int | None:
    """How many inputs the caller sent, as OpenAI counts them; None when that cannot be told."""
    if isinstance(sent, str):
        return 1
    if not isinstance(sent, list | tuple) or not sent:
        return None
    if all(isinstance(item, int) and not isinstance(item, bool) for item in sent):
        return 1  # one input, already tokenized
    return len(sent)


def _vectors_in_input_order(items: list[Any]) -> list[list[float] | str]:
    by_index: dict[int, tuple[list[float] | str, str]] = {}
    for position, item in enumerate(items):
        where = f"data[{position}]"
        if not isinstance(item, dict):
            raise UnreadableAnswer(f"{where} that is {kind_of(item)}, not an object")
        index = item.get("index", position)
        if type(index) is not int or not 0 <= index < len(items):
            raise UnreadableAnswer(f"{where}.index that is not an input's position (0 to {len(items) - 1})")
        if index in by_index:
            raise UnreadableAnswer(f"{where}.index {index}, which an earlier embedding already has")
        by_index[index] = _readable_vector(where, item.get("embedding"))
    shapes = sorted({shape for _, shape in by_index.values()})
    if len(shapes) > 1:
        raise UnreadableAnswer(f"embeddings of different shapes ({' and '.join(shapes[:2])})")
    return [by_index[i][0] for i in range(len(items))]


def _readable_vector(where: str, vector: Any) -> tuple[list[float] | str, str]:
    """The vector, and its shape ("768 numbers", "768 base64 float32s") for comparing it with the others."""
    if isinstance(vector, str):
        return vector, f"{_base64_float_count(where, vector)} base64 float32s"
    if not isinstance(vector, list):
        raise UnreadableAnswer(f"{where}.embedding that is {kind_of(vector)}, not a list of numbers")
    if not vector:
        raise UnreadableAnswer(f"{where}.embedding that is empty")
    if not all(_finite_number(x) for x in vector):
        raise UnreadableAnswer(f"{where}.embedding holding something that is not a finite number")
    return vector, f"{len(vector)} numbers"


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float: JSON allows any number of digits
        return False


def _base64_float_count(where: str, vector: str) -> int:
    """How many float32 values a base64 embedding holds (``encoding_format="base64"``), all finite."""
    try:
        raw = base64.b64decode(vector, validate=True)
    except ValueError:
        raise UnreadableAnswer(f"{where}.embedding that is a string but not base64") from None
    if not raw or len(raw) % 4:
        raise UnreadableAnswer(f"{where}.embedding whose {len(raw)} bytes are not float32 values")
    values = array.array("f", raw)
    if sys.byteorder == "big":
        values.byteswap()  # OpenAI's base64 embeddings are little-endian float32
    if not all(math.isfinite(x) for x in values):
        raise UnreadableAnswer(f"{where}.embedding holding a float32 that is not a finite number")
    return len(values)
