"""A project's model answers are cached in that project, wherever the command runs from."""

from __future__ import annotations

import os

from dna_kit.llm import DEFAULT_CACHE_SUBDIR, LLMClient, client_for_project, load_llm_config
from dna_kit.project import init_project


def test_the_cache_belongs_to_the_project_not_the_current_directory(tmp_path, fake_llm,
                                                                     monkeypatch):
    monkeypatch.delenv("DNA_LLM_CACHE_DIR")  # the fixture's own override would win
    here = init_project(tmp_path / "here")
    there = init_project(tmp_path / "there")
    old = os.getcwd()
    os.chdir(here.root)
    try:
        client = client_for_project(there)
    finally:
        os.chdir(old)
    assert client is not None
    assert client.cache_dir == there.dna_dir / DEFAULT_CACHE_SUBDIR


def test_no_model_configured_means_no_client(tmp_path, monkeypatch):
    monkeypatch.delenv("DNA_LLM_MODEL", raising=False)
    assert client_for_project(init_project(tmp_path / "repo")) is None


def test_without_a_project_nothing_is_cached_even_inside_one(tmp_path, fake_llm,
                                                              monkeypatch):
    """The current directory never picks a cache: a client given no project and no
    folder caches nowhere, even when it is made inside a project."""
    monkeypatch.delenv("DNA_LLM_CACHE_DIR")
    here = init_project(tmp_path / "here")
    monkeypatch.chdir(here.root)
    config = load_llm_config(here.config())
    assert config is not None
    fake_llm.reply_json({"rules": []})
    client = LLMClient(config)
    assert client.cache_dir is None
    client.complete_json("s", "u", {"type": "object"}, purpose="smoke")
    assert not (here.dna_dir / DEFAULT_CACHE_SUBDIR).exists()
    assert LLMClient(config, project=here).cache_dir == here.dna_dir / DEFAULT_CACHE_SUBDIR
