"""The LiteLLM proxy's entry point: ``custom_provider_map`` entries in a proxy config point here.

    litellm_settings:
      custom_provider_map:
        - {provider: synthetic, custom_handler: litellm_providers.proxy.synthetic}

The proxy imports only what its config names, so importing this module is what wires the package
into the proxy process (and into every worker of a multi-worker proxy): the routes, the takeover of
LiteLLM's built-in ``synthetic`` route, and the catalog. This is the one module that does work at
import, on purpose.
"""

from __future__ import annotations

import os

# The proxy must not wait on LiteLLM's network fetch of its price map; the catalog is bundled.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from litellm_providers.registration import HANDLERS, register

register()

synthetic = HANDLERS["synthetic"]
synternet = HANDLERS["synternet"]
syncropic = HANDLERS["syncropic"]
