"""Feedback: the result, grade, messages, tags and custom values the host reads after the script."""

import json
import os

from inginious_container_api import FEEDBACK_FILE


def get_feedback():
    try:
        with open(FEEDBACK_FILE, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        return {}
    try:
        state = json.loads(text) if text.strip() else {}
    except ValueError:
        return {"result": "crash", "text": "Feedback file has been modified by user !"}
    return state if isinstance(state, dict) else {}


def save_feedback(state):
    os.makedirs(os.path.dirname(FEEDBACK_FILE), exist_ok=True)
    temporary = FEEDBACK_FILE + ".part"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(state, file)
    os.replace(temporary, FEEDBACK_FILE)


def _update(change):
    state = get_feedback()
    change(state)
    save_feedback(state)


def set_global_result(result):
    _update(lambda state: state.__setitem__("result", result))


def set_grade(grade):
    _update(lambda state: state.__setitem__("grade", float(grade)))


def set_global_feedback(feedback, append=False):
    def change(state):
        state["text"] = (state.get("text", "") + feedback) if append else feedback

    _update(change)


def _problem(state, problem_id):
    """A problem's entry: a text alone, or [result, text] once a result is set (INGInious's forms)."""
    return state.setdefault("problems", {}).get(problem_id, "")


def set_problem_result(result, problem_id):
    def change(state):
        current = _problem(state, problem_id)
        text = current if isinstance(current, str) else current[1]
        state["problems"][problem_id] = [result, text]

    _update(change)


def set_problem_feedback(feedback, problem_id, append=False):
    def change(state):
        current = _problem(state, problem_id)
        old = current if isinstance(current, str) else current[1]
        text = (old + feedback) if append else feedback
        state["problems"][problem_id] = text if isinstance(current, str) else [current[0], text]

    _update(change)


def set_state(value):
    _update(lambda state: state.__setitem__("state", value))


def set_tag(tag, value):
    if tag.startswith("*auto-tag-"):
        return
    _update(lambda state: state.setdefault("tests", {}).__setitem__(tag, value is True))


def tag(value):
    key = "*auto-tag-" + str(abs(hash(str(value))))
    _update(lambda state: state.setdefault("tests", {}).__setitem__(key, str(value)))


def set_custom_value(custom_name, custom_val):
    _update(lambda state: state.setdefault("custom", {}).__setitem__(custom_name, custom_val))


def set_feedback_from_tpl(tpl_name, parameters, problem_id=None, append=False):
    """A feedback message from a template file (``NAME.tpl``), with ``{{ name }}`` replaced by the
    parameters (Jinja2 where installed, else plain substitution of simple names)."""
    path = tpl_name + ".tpl"
    if not os.path.exists(path):
        output = (
            f"\n.. error::\n\n    Unable to find template named {tpl_name}. "
            "Please contact your administrator.\n\n"
        )
        valid = False
    else:
        with open(path, encoding="utf-8") as file:
            template = file.read()
        try:
            import jinja2

            output = jinja2.Template(template).render(parameters)
        except ImportError:
            output = template
            for name, value in parameters.items():
                output = output.replace("{{ " + name + " }}", str(value)).replace(
                    "{{" + name + "}}", str(value)
                )
        valid = True
    if problem_id is None:
        set_global_feedback(output, append)
    else:
        set_problem_feedback(output, problem_id, append)
    return valid
