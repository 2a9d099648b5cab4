"""Benchmarks for litellm-providers: ``python -m benchmarks`` (``--quick`` for a short run).

They compare this package's ``synternet/`` route with LiteLLM's own ``openai/`` route and with a bare
``httpx`` read of the very same SSE stream, served by one loopback server (``benchmarks.server``) in a
child process, and time the reasoning normaliser, time to first token, and import/register cost.
Results go to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import os

# LiteLLM fetches its model cost map from the network at import unless told not to; the benchmarks
# never touch a network, and a retrying fetch would dominate every import measurement.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
