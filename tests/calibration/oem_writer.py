"""Writes OEMs (KVN and XML) of skyfield-propagated truth for the tests: an independent source."""

from __future__ import annotations

import numpy as np

from catalog.astro.timescales import from_utc


def _stamp(t: np.datetime64) -> str:
    return str(np.asarray(t, dtype="datetime64[ms]"))


def kvn(
    name: str,
    object_id: str,
    frame: str,
    time_system: str,
    utc: np.ndarray,
    states: np.ndarray,
    interpolation: str = "LAGRANGE",
    degree: int = 8,
) -> str:
    labels = from_utc(utc, time_system)
    lines = [
        "CCSDS_OEM_VERS = 2.0",
        "CREATION_DATE = 2026-01-01T00:00:00",
        "ORIGINATOR = TEST",
        "",
        "META_START",
        f"OBJECT_NAME = {name}",
        f"OBJECT_ID = {object_id}",
        "CENTER_NAME = EARTH",
        f"REF_FRAME = {frame}",
        f"TIME_SYSTEM = {time_system}",
        f"START_TIME = {_stamp(labels[0])}",
        f"STOP_TIME = {_stamp(labels[-1])}",
        f"INTERPOLATION = {interpolation}",
        f"INTERPOLATION_DEGREE = {degree}",
        "META_STOP",
        "",
    ]
    for label, state in zip(labels, states, strict=True):
        lines.append(_stamp(label) + " " + " ".join(f"{value:.9f}" for value in state))
    return "\n".join(lines) + "\n"


def xml(
    name: str,
    object_id: str,
    frame: str,
    time_system: str,
    utc: np.ndarray,
    states: np.ndarray,
    interpolation: str = "HERMITE",
    degree: int = 5,
) -> str:
    labels = from_utc(utc, time_system)
    rows = []
    for label, s in zip(labels, states, strict=True):
        rows.append(
            f"<stateVector><EPOCH>{_stamp(label)}</EPOCH><X>{s[0]:.9f}</X><Y>{s[1]:.9f}</Y><Z>{s[2]:.9f}</Z>"
            f"<X_DOT>{s[3]:.12f}</X_DOT><Y_DOT>{s[4]:.12f}</Y_DOT><Z_DOT>{s[5]:.12f}</Z_DOT></stateVector>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<oem xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="CCSDS_OEM_VERS" version="2.0">
<header><CREATION_DATE>2026-01-01T00:00:00</CREATION_DATE><ORIGINATOR>TEST</ORIGINATOR></header>
<body><segment>
<metadata><OBJECT_NAME>{name}</OBJECT_NAME><OBJECT_ID>{object_id}</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME>
<REF_FRAME>{frame}</REF_FRAME><TIME_SYSTEM>{time_system}</TIME_SYSTEM>
<START_TIME>{_stamp(labels[0])}</START_TIME><STOP_TIME>{_stamp(labels[-1])}</STOP_TIME>
<INTERPOLATION>{interpolation}</INTERPOLATION><INTERPOLATION_DEGREE>{degree}</INTERPOLATION_DEGREE></metadata>
<data>{"".join(rows)}</data>
</segment></body></oem>
"""
