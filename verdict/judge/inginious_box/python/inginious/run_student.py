from inginious_container_api.run_student import *  # noqa: F403
