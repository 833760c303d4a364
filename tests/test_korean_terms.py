"""The Korean pages speak with one voice: the book's Korean edition's terms (과적합, 뉴런), one term per concept,
no paired particle such as 은(는) that a reader sees as machine-made, and every placeholder of the English
kept in the Korean.

The texts checked are every msgstr of locales/ko/LC_MESSAGES/messages.po and every Korean string literal in
the code (the glossary's terms), read with ast.
"""

from __future__ import annotations

import ast
import re

import pytest
from babel.messages.pofile import read_po

from lib.i18n import KOREAN, po_path
from tests.conftest import ROOT

# (the term the pages use, [patterns of the words they do not use for the same concept]). A pattern is a
# regular expression, so that a rejected word that is a part of an accepted one (확신 in 확신도) can be told apart.
TERMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("과적합 (overfitting)", ("과대적합", "오버피팅")),
    ("뉴런 (unit, neuron)", ("유닛",)),
    ("계층 (layer)", ("레이어", "(?<!계)층")),
    ("경사 (gradient)", ("그레이디언트", "그래디언트", "기울기")),
    ("통합 경사 (integrated gradients)", ("적분 경사",)),
    ("단계 (step)", ("스텝",)),
    ("확신도 (confidence)", ("확신(?!도)", "신뢰도")),
    ("나만의 (own classes, own data) / 내 (my, your)", ("(?<![가-힣])나의",)),
    ("훈련 기록 (the History page)", ("(?<!훈련 )기록 페이지",)),
    ("데이터셋 (data set)", ("데이터 ?세트",)),
    ("보폭 (stride)", ("스트라이드",)),
    ("매개변수, 초매개변수 (parameter, hyperparameter)", ("파라미터",)),
    ("조기 중단 (early stopping)", ("조기 종료",)),
    ("합성곱 (convolution)", ("컨볼루션", "콘볼루션")),
    ("특징 맵 (feature map)", ("특성 맵", "피처 맵")),
    ("에포크 (epoch)", ("에폭",)),
    ("옵티마이저 (optimizer)", ("최적화기",)),
    ("레이블 (label)", ("라벨",)),
    ("내려받기 (download)", ("다운로드",)),
    ("훈련 (training data, sets and images; 학습 is for what a network learns)", ("학습 ?(데이터|세트|이미지|샘플)",)),
    ("Keras, TensorFlow (names kept in Latin letters; the book's 텐서보드 is the exception)", ("케라스", "텐서플로")),
    ("LeNet-5 훈련 페이지 (the Training page, by its title)", ("(?<!LeNet-5 )(?<!분산 )(?<!기록 )훈련 페이지",)),
)

# Korean can't let a placeholder choose its particle (은 or 는 depends on the word's last sound, which the
# sentence does not know), and a paired one such as 은(는) reads as a form, not a sentence.
PAIRED_PARTICLE = re.compile(r"은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|와\(과\)|과\(와\)|\(으\)|\(이\)")

# {name}, {value:.3f}, {name!r}; %(name)s; Plotly's %{z:.3f}. Doubled braces are literal braces.
PLACEHOLDER = re.compile(r"%\{[^{}]*\}|(?<!\{)\{(?!\{)[^{}]*\}|%\([a-z_]+\)[sdifg]")


def catalog_messages():
    with po_path(KOREAN).open("rb") as source:
        return [message for message in read_po(source, locale=KOREAN) if message.id]


def strings_of(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def code_korean_strings() -> list[tuple[str, str]]:
    """(where, text) for each string literal with Hangul in the app's code (the glossary's Korean terms)."""
    found = []
    for path in sorted([ROOT / "streamlit_app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                        *(ROOT / "lib").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search("[가-힣]", node.value):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


def korean_texts() -> list[tuple[str, str]]:
    texts = [(f"msgid {message.id if isinstance(message.id, str) else message.id[0]!r}", string)
             for message in catalog_messages() for string in strings_of(message)]
    return texts + code_korean_strings()


def term_uses(texts, rejected: tuple[str, ...]) -> list[str]:
    return [f"{where}: {text}" for where, text in texts for pattern in rejected if re.search(pattern, text)]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    """korean_texts(), read once for the module: each term's check reads the same catalog and code."""
    return korean_texts()


def test_the_checks_see_the_catalog_and_the_glossary(texts):
    assert len(texts) > 1000
    assert any(where.startswith("lib/server/pages.py") for where, _text in texts)  # the glossary's terms


@pytest.mark.parametrize("term, rejected", TERMS, ids=[term.split(" (", 1)[1].rstrip(")") for term, _rejected in TERMS])
def test_one_korean_term_per_concept(term, rejected, texts):
    uses = term_uses(texts, rejected)
    assert not uses, f"use {term} instead of {rejected}:\n" + "\n".join(uses[:30])


def test_a_rejected_term_is_found_and_its_preferred_one_is_not():
    texts = [("a", "이 모델은 과대적합되었습니다."), ("b", "확신도 90%"), ("c", "확신 90%"), ("d", "합성곱 계층"),
             ("e", "밀집층"), ("f", "훈련 기록 페이지"), ("g", "기록 페이지"),
             ("h", "숫자 하나의 사진"), ("i", "나의 클래스")]
    rejected = dict(TERMS)
    assert term_uses(texts, rejected["과적합 (overfitting)"]) == ["a: 이 모델은 과대적합되었습니다."]
    assert term_uses(texts, rejected["확신도 (confidence)"]) == ["c: 확신 90%"]
    assert term_uses(texts, rejected["계층 (layer)"]) == ["e: 밀집층"]
    assert term_uses(texts, rejected["훈련 기록 (the History page)"]) == ["g: 기록 페이지"]
    assert term_uses(texts, rejected["나만의 (own classes, own data) / 내 (my, your)"]) == ["i: 나의 클래스"]


def test_no_paired_particle_such_as_eun_neun(texts):
    uses = [f"{where}: {text}" for where, text in texts if PAIRED_PARTICLE.search(text)]
    assert not uses, "write the sentence so that no particle depends on a word:\n" + "\n".join(uses[:30])


def test_the_paired_particle_check_finds_one_after_a_placeholder():
    assert PAIRED_PARTICLE.search("{name}은(는) 없습니다")
    assert PAIRED_PARTICLE.search("{signal}(으)로 끝났습니다")
    assert not PAIRED_PARTICLE.search("이름 {name}: 없습니다")


def test_every_translation_keeps_exactly_the_placeholders_of_its_english():
    lost = []
    for message in catalog_messages():
        english = message.id if isinstance(message.id, str) else message.id[-1]  # Korean has one plural form
        for string in strings_of(message):
            if placeholders(string) != placeholders(english):
                lost.append(f"{english!r}\n  -> {string!r}")
    assert not lost, f"{len(lost)} translations change the placeholders:\n" + "\n".join(lost[:20])


def test_placeholders_are_told_apart_from_literal_braces():
    assert placeholders("{n} runs at {rate:.3f}, %(name)s and %{z:.2f}") == ["%(name)s", "%{z:.2f}", "{n}",
                                                                                "{rate:.3f}"]
    assert placeholders("a dict {{key}}") == []
