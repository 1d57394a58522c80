"""INGInious's container API, as Verdict provides it inside a run script's sandbox.

Written for Verdict after INGInious's documented interface (doc/teacher_doc/inginious_container_api.rst):
the same module and function names. The input and feedback files live in the box's writable /box
(INGInious's /.__input and /.__output are read-only here); INGINIOUS_INPUT and INGINIOUS_OUTPUT
name them. The host reads the feedback file when the script ends.
"""

import os

DEBUG = False
INPUT_FILE = os.environ.get("INGINIOUS_INPUT", "/box/.__input/__inputdata.json")
FEEDBACK_FILE = os.environ.get("INGINIOUS_OUTPUT", "/box/.__output/__feedback.json")
