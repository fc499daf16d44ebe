"""``python -m dna_kit`` runs the ``dna`` command."""

from dna_kit.cli import run

run()
