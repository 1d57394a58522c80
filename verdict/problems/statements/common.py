"""What every statement renderer shares: the result, the samples it shows, the words it prints.

The renderers never run TeX, never read a file a statement names and never trust its markup: text is
escaped as it is read, math is kept as TeX (``\\(...\\)``, ``\\[...\\]``) for KaTeX in the browser,
and images go through a resolver the caller gives (a package-relative name -> URL, or None).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# A file name as a statement writes it ("campanar", "fig/tree.png") -> its URL, None if unavailable.
ImageResolver = Callable[[str], str | None]

MAX_SAMPLE_CHARS = 20_000  # a sample longer than this is shown cut (the download has it whole)


@dataclass(frozen=True)
class Sample:
    """A sample test as a statement shows it: its input and expected output, as text, or the URL
    of the expected image (graphic problems); an interactive one has its interaction instead."""

    name: str
    input: str
    output: str
    output_image: str | None = None
    interaction: str | None = None


@dataclass
class Statement:
    """A rendered statement: a safe HTML fragment (no title: the page shows it) and what happened."""

    html: str
    language: str
    format: str  # "jutge-latex" | "kattis-latex" | "markdown" | "rst" | "html"
    title: str | None = None
    sections: list[str] = field(default_factory=list)  # the section macros met, in order
    warnings: list[str] = field(default_factory=list)  # what could not be rendered faithfully


def no_images(name: str) -> str | None:
    """The resolver for a statement shown without its package's files."""
    return None


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def math_html(tex: str, *, display: bool) -> str:
    """Math kept as TeX inside its delimiters, in an element math.js renders with KaTeX (and
    readable as TeX without JavaScript)."""
    if display:
        return f'<div class="math math-display">\\[{esc(tex)}\\]</div>'
    return f'<span class="math math-inline">\\({esc(tex)}\\)</span>'


# The words statements print, by language (Jutge's jutge.<lang>.sty, problemtools' own).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "Statement": "Statement",
        "Input": "Input",
        "Output": "Output",
        "Precondition": "Precondition",
        "Samples": "Samples",
        "Sample": "Sample",
        "Observation": "Observation",
        "Observations": "Observations",
        "Hint": "Hint",
        "Scoring": "Scoring",
        "Points": "Points",
        "Interface": "Interface",
        "Specification": "Specification",
        "Example": "Example",
        "Solution": "Solution",
        "Sample input": "Sample input",
        "Sample output": "Sample output",
        "Sample interaction": "Sample interaction",
        "Sample session": "Sample session",
        "Checker": "Information about the checker",
        "Elastic": "You can print the solutions to this exercise in any order.",
        "ElasticII": ("You can print in any order both the solutions and the elements inside each solution."),
        "NoMain": "You only need to submit the required procedure; your main program will be ignored.",
        "NoMainPlural": (
            "You only need to submit the required procedures; your main program will be ignored."
        ),
        "Tuples": "Strictly obey the type definitions of the statement.",
    },
    "ca": {
        "Statement": "Enunciat",
        "Input": "Entrada",
        "Output": "Sortida",
        "Precondition": "Precondició",
        "Samples": "Exemples",
        "Sample": "Exemple",
        "Observation": "Observació",
        "Observations": "Observacions",
        "Hint": "Pista",
        "Scoring": "Puntuació",
        "Points": "Punts",
        "Interface": "Interfície",
        "Specification": "Especificació",
        "Example": "Exemple",
        "Solution": "Solució",
        "Sample input": "Exemple d'entrada",
        "Sample output": "Exemple de sortida",
        "Sample interaction": "Exemple d'interacció",
        "Sample session": "Exemple de sessió",
        "Checker": "Informació sobre el corrector",
        "Elastic": "Podeu escriure les solucions d'aquest exercici en qualsevol ordre.",
        "ElasticII": (
            "Podeu escriure en qualsevol ordre tant les solucions com els elements dins de cada solució."
        ),
        "NoMain": "Només cal enviar el procediment demanat; el programa principal serà ignorat.",
        "NoMainPlural": ("Només cal enviar els procediments demanats; el programa principal serà ignorat."),
        "Tuples": "Seguiu estrictament la definició dels tipus de l'enunciat.",
    },
    "es": {
        "Statement": "Enunciado",
        "Input": "Entrada",
        "Output": "Salida",
        "Precondition": "Precondición",
        "Samples": "Ejemplos",
        "Sample": "Ejemplo",
        "Observation": "Observación",
        "Observations": "Observaciones",
        "Hint": "Pista",
        "Scoring": "Puntuación",
        "Points": "Puntos",
        "Interface": "Interfaz",
        "Specification": "Especificación",
        "Example": "Ejemplo",
        "Solution": "Solución",
        "Sample input": "Ejemplo de entrada",
        "Sample output": "Ejemplo de salida",
        "Sample interaction": "Ejemplo de interacción",
        "Sample session": "Ejemplo de sesión",
        "Checker": "Información sobre el corrector",
        "Elastic": "Podéis escribir las soluciones de este ejercicio en cualquier orden.",
        "ElasticII": (
            "Podéis escribir en cualquier orden tanto las soluciones como los elementos dentro de "
            "cada solución."
        ),
        "NoMain": ("Sólo tenéis que enviar el procedimiento requerido; el programa principal será ignorado."),
        "NoMainPlural": (
            "Sólo tenéis que enviar los procedimientos requeridos; el programa principal será ignorado."
        ),
        "Tuples": "Seguid estrictamente la definición de los tipos del enunciado.",
    },
}


def word(language: str, key: str) -> str:
    """``key`` in ``language`` (its primary subtag), in English where there is no translation."""
    table = WORDS.get(language.split("-")[0].split("_")[0].lower(), WORDS["en"])
    return table.get(key, WORDS["en"].get(key, key))


def samples_html(samples: list[Sample], language: str, *, numbered: bool | None = None) -> str:
    """The samples as Jutge and problemtools show them: input beside expected output, numbered
    when there are several."""
    if not samples:
        return ""
    number = len(samples) > 1 if numbered is None else numbered
    parts = ['<div class="samples">']
    for index, sample in enumerate(samples, 1):
        suffix = f" {index}" if number else ""
        parts.append(f'<div class="sample" id="sample-{index}">')
        if sample.interaction is not None:
            parts.append(
                f'<div class="sample-interaction"><h4>{esc(word(language, "Sample interaction"))}'
                f"{suffix}</h4><pre>{esc(sample.interaction)}</pre></div>"
            )
        else:
            parts.append(
                f'<div class="sample-input"><h4>{esc(word(language, "Sample input"))}{suffix}</h4>'
                f"<pre>{esc(sample.input)}</pre></div>"
            )
            if sample.output_image is not None:
                shown = f'<img src="{esc(sample.output_image)}" alt="{esc(sample.name)}">'
            else:
                shown = f"<pre>{esc(sample.output)}</pre>"
            parts.append(
                f'<div class="sample-output"><h4>{esc(word(language, "Sample output"))}{suffix}'
                f"</h4>{shown}</div>"
            )
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def safe_relative(name: str) -> bool:
    """A file name inside the package: relative, without ``..``, nothing a URL could abuse."""
    return bool(
        name
        and not name.startswith(("/", "\\"))
        and ".." not in name.split("/")
        and re.fullmatch(r"[\w./+-]+", name)
    )
