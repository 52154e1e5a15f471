"""LangChain's standard suites run against our store configuration and our retriever."""

from __future__ import annotations

import uuid
from collections.abc import Generator

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.vectorstores import VectorStore
from langchain_tests.integration_tests import RetrieversIntegrationTests, VectorStoreIntegrationTests

from bot.retrieve import HybridRetriever
from index import store


class TestWaymarkVectorStore(VectorStoreIntegrationTests):
    """The Chroma configuration Waymark indexes into: persistent client, cosine space."""

    @pytest.fixture()
    def vectorstore(self, tmp_path) -> Generator[VectorStore, None, None]:  # type: ignore[override]
        client = chromadb.PersistentClient(
            path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        vs = store.vectorstore(client, f"std-{uuid.uuid4().hex[:8]}", self.get_embeddings())
        try:
            yield vs
        finally:
            vs.delete_collection()


@pytest.fixture(scope="module")
def seed_retriever_params(request) -> dict:
    answerer = request.getfixturevalue("answerer")
    return {"handle": answerer.handle, "embed_query": answerer.embed_query}


class TestHybridRetriever(RetrieversIntegrationTests):
    """``HybridRetriever`` over the real seed index honours ``k`` like any LangChain retriever."""

    @pytest.fixture(autouse=True)
    def _params(self, seed_retriever_params):
        self._constructor_params = seed_retriever_params

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return self._constructor_params

    @property
    def retriever_query_example(self) -> str:
        return "What number do I dial for the police from a mobile?"


def test_store_uses_cosine_space(tmp_path):
    client = chromadb.PersistentClient(
        path=str(tmp_path / "c"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    vs = store.vectorstore(client, "cosine-check", VectorStoreIntegrationTests.get_embeddings())
    vs.add_texts(["a"], ids=["1"])
    assert client.get_collection("cosine-check").configuration["hnsw"]["space"] == "cosine"
    assert isinstance(vs, Chroma)
