from inginious_container_api.rst import *  # noqa: F403
