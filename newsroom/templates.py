"""Templates compiled ahead of the first request (gunicorn.conf.py calls this in the master before forking)."""

import logging
from pathlib import Path

from django.template import TemplateSyntaxError, engines
from django.template.exceptions import TemplateDoesNotExist

logger = logging.getLogger(__name__)


def compile_all() -> int:
    """Load every template of every engine through its loaders (the cached loader keeps them): returns how many
    names were compiled (a name in two folders is the first folder's, as for any request)."""
    compiled = 0
    for engine in engines.all():
        names = {
            path.relative_to(folder).as_posix()
            for folder in engine.template_dirs
            for path in Path(folder).rglob("*")
            if path.suffix in (".html", ".txt", ".xml") and path.is_file()
        }
        for name in sorted(names):
            try:
                engine.get_template(name)
            except (TemplateSyntaxError, TemplateDoesNotExist, UnicodeDecodeError) as error:
                # Not a template this engine renders (a data file beside them): it is compiled, or not, when asked.
                logger.debug("Not compiled ahead: %s (%s)", name, error)
                continue
            compiled += 1
    return compiled
