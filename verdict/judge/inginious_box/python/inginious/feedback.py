from inginious_container_api.feedback import *  # noqa: F403
