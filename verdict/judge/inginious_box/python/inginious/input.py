from inginious_container_api.input import *  # noqa: F403
