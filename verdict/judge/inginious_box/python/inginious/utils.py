from inginious_container_api.utils import *  # noqa: F403
