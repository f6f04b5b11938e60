"""Longitudinal ctDNA: baseline vs progression, tissue-plasma concordance, ctDNA features.

**Baseline vs progression** (:func:`compare_timepoints`), per patient with samples at both
timepoints, per (gene, alteration):

- *acquired*: called at progression and absent at baseline in every baseline sample. Absent
  means not called and, where a baseline VCF has a record at the variant (filtered or below
  the VAF floor), fewer alt reads than the specimen's ``filters.min_alt_reads``. A position a
  baseline VCF does not list counts as absent: without a gVCF/pileup its coverage is unknown
  (the evidence column says so). A baseline record with enough alt reads makes the change
  *persistent* (a pre-existing subclone below the calling filters), not acquired.
- *lost*: called at baseline, absent at progression (same rule the other way round). When the
  progression sample's tumour fraction is below ``tumour_fraction.min_for_deletions`` the
  evidence says the loss may be a detection failure.
- *persistent*: called at both; ``vaf_change`` = progression - baseline VAF (baseline VAF from
  the same specimen as the progression sample when there is one).

Germline and CHIP calls (flagged in any sample of the patient) are not tracked. An acquired
change in the resistance knowledge base (``resources/hotspots.tsv`` rows of type
``resistance`` or ``both``; exact change, or residue rows) is a ``resistance_candidate``.

**Concordance** (:func:`concordance`): per gene, patients with a QC-passed baseline tissue
and baseline plasma sample; positive = a call that counts as altered (mutations only by
default: plasma rarely has copy-number calls). PPA = both+ / tissue+, NPA = both- / tissue-,
Cohen's kappa = (po - pe) / (1 - pe).

**ctDNA features** (:func:`ctdna_features`): per patient from baseline plasma, each as
``altered`` / ``wild_type`` / ``not_evaluable`` so ``her2resist.stats.survival_associations``
tests them like any biomarker; continuous values in a second table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.annotate.alterations import (
    chip_call,
    mutation_filters,
    per_specimen,
    propagate_patient_flags,
    variant_key,
)
from her2resist.annotate.tmb import coding_megabases
from her2resist.tables import records
from her2resist.vocabulary import (
    ALTERED,
    BASELINE,
    CTDNA,
    NONSYNONYMOUS,
    NOT_EVALUABLE,
    PROGRESSION,
    TISSUE,
    WILD_TYPE,
)

ACQUIRED_COLUMNS = [
    "patient_id", "gene", "alteration", "status", "vaf_baseline", "vaf_progression",
    "vaf_change", "resistance_candidate", "evidence", "baseline_samples", "progression_samples",
]  # fmt: skip
CONCORDANCE_COLUMNS = [
    "gene", "n_patients", "both_positive", "tissue_only", "plasma_only", "both_negative", "ppa",
    "npa", "overall_agreement", "kappa",
]  # fmt: skip
FEATURES = [
    "ctdna_detectable", "ctdna_tumour_fraction_above_median", "ctdna_max_vaf_above_median",
    "ctdna_pathways_altered>=2", "tissue_tmb_above_median", "plasma_btmb_above_median",
]  # fmt: skip
FEATURE_VALUE_COLUMNS = [
    "patient_id", "ctdna_n_somatic", "ctdna_tumour_fraction", "ctdna_max_vaf",
    "ctdna_n_altered_pathways", "tissue_tmb_per_mb", "plasma_btmb_per_mb",
]  # fmt: skip
#: the variant-table columns :func:`tmb_per_sample` reads (filters, CHIP and germline calls)
TMB_COLUMNS = [
    "sample_id", "chrom", "pos", "ref", "alt", "gene", "variant_class", "filter", "depth",
    "alt_reads", "vaf", "population_af", "normal_depth", "normal_alt_reads", "normal_vaf",
]  # fmt: skip
# Okabe-Ito colour-blind-safe palette.
STATUS_COLOURS = {"acquired": "#D55E00", "lost": "#0072B2", "persistent": "#999999"}
RESISTANCE_COLOUR = "#D55E00"
OTHER_ACQUIRED_COLOUR = "#56B4E9"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


def alteration_label(frame: pd.DataFrame) -> pd.Series:
    """Protein change without ``p.``; else HGVSc; else chrom:posREF>ALT (or the class)."""

    def one(row: dict) -> str:
        for column in ("hgvsp_short", "alteration"):
            value = row.get(column)
            if value is not None and not pd.isna(value) and str(value).strip():
                return str(value).removeprefix("p.")
        if row.get("hgvsc") is not None and not pd.isna(row.get("hgvsc")):
            return str(row["hgvsc"])
        return f"{row.get('chrom')}:{row.get('pos')}{row.get('ref')}>{row.get('alt')}"

    return pd.Series([one(r) for r in frame.to_dict("records")], index=frame.index, dtype=object)


def _flagged_mutations(alterations: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The mutation calls (patient flags propagated), and which are germline or CHIP in the
    patient's normal."""
    frame = propagate_patient_flags(alterations)
    frame = frame[frame["alteration_type"].eq("mutation")]
    reason = frame.get("chip_reason", pd.Series("", index=frame.index)).fillna("").astype(str)
    return frame, frame["germline_flag"].map(_truthy) | reason.isin({"in_normal", "in_patient"})


def tracked_mutations(alterations: pd.DataFrame) -> pd.DataFrame:
    """Mutation calls fit for tracking: ``called`` = passes every filter. Variants germline
    or CHIP-in-the-normal in any sample of the patient are dropped altogether; other
    CHIP-like calls (e.g. low-VAF TP53 in plasma) stay as not called."""
    frame, flagged = _flagged_mutations(alterations)
    key = variant_key(frame)
    flagged |= frame["filter_status"].astype(str).str.contains("germline")
    frame = frame[~key.isin(set(key[flagged]))].copy()
    frame["alteration"] = alteration_label(frame)
    frame["called"] = frame["filter_status"].astype(str).eq("PASS")
    return frame


def resistance_catalogue(hotspots: str | Path | pd.DataFrame) -> dict[tuple[str, str], str]:
    """(gene, change or residue) -> evidence, for rows of type resistance or both."""
    table = (
        hotspots
        if isinstance(hotspots, pd.DataFrame)
        else pd.read_csv(hotspots, sep="\t", dtype=str, comment="#")
    ).fillna("")
    table = table[table["type"].isin(["resistance", "both"])]
    out = {}
    for row in table.to_dict("records"):
        change = row["protein_change"].removeprefix("p.")
        evidence = f"{row['type']}:{row.get('reference') or row.get('source')}"
        out[(row["gene"], change)] = evidence
    return out


def _resistance_hit(gene: str, change: str, catalogue: dict) -> str:
    if (gene, change) in catalogue:
        return catalogue[(gene, change)]
    residue = change[:-1] if change and not change[-1].isdigit() else ""
    # Residue rows (e.g. "T798") match any missense change at that residue.
    if residue and (gene, residue) in catalogue and residue[1:].isdigit():
        return catalogue[(gene, residue)]
    return ""


def compare_timepoints(
    records: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    min_alt_reads: Callable[[str], float] | float = np.inf,
    resistance: dict | None = None,
    tumour_fraction: pd.DataFrame | None = None,
    min_tumour_fraction: float = 0.05,
) -> pd.DataFrame:
    """Acquired / lost / persistent per patient (ACQUIRED_COLUMNS); see the module docstring.

    ``records``: patient_id, sample_id, timepoint, gene, alteration, called, and optionally
    vaf, alt_reads, specimen, filter_status. ``samples``: patient_id, sample_id, timepoint
    (specimen optional); a patient is compared only with samples at both timepoints.
    ``min_alt_reads`` (per specimen, or one number): the alt reads that make an uncalled
    record a trace of the change (never, by default)."""
    resistance = resistance or {}
    samples = samples.assign(specimen=samples.get("specimen", ""))
    by_patient = samples.groupby("patient_id")["timepoint"].agg(set)
    patients = sorted(p for p, t in by_patient.items() if {BASELINE, PROGRESSION} <= t)
    tf = {}
    if tumour_fraction is not None and len(tumour_fraction):
        tf = tumour_fraction.set_index("sample_id")["estimate"].to_dict()
    frame = records[
        records["patient_id"].isin(patients) & records["timepoint"].isin([BASELINE, PROGRESSION])
    ].copy()
    for column in ("filter_status", "specimen"):
        frame[column] = frame.get(column, "")
    for column in ("vaf", "alt_reads"):
        frame[column] = pd.to_numeric(frame.get(column, np.nan), errors="coerce")
    frame["called"] = frame["called"].map(_truthy)
    floor = min_alt_reads if callable(min_alt_reads) else (lambda _s, v=min_alt_reads: v)
    bounds = frame["specimen"].map(lambda s: float(floor(str(s))))
    frame["trace"] = ~frame["called"] & frame["alt_reads"].ge(bounds) & frame["alt_reads"].gt(0)
    rows = []
    for patient in patients:
        mine = samples[samples["patient_id"] == patient]
        base_ids = sorted(mine.loc[mine["timepoint"] == BASELINE, "sample_id"])
        prog = mine[mine["timepoint"] == PROGRESSION]
        prog_ids = sorted(prog["sample_id"])
        prog_specimens = set(prog["specimen"])
        calls = frame[frame["patient_id"] == patient]
        for (gene, change), group in calls.groupby(["gene", "alteration"], sort=True):
            at_base = group[group["timepoint"] == BASELINE]
            at_prog = group[group["timepoint"] == PROGRESSION]
            b_called, p_called = at_base["called"].any(), at_prog["called"].any()
            b_trace, p_trace = at_base["trace"].any(), at_prog["trace"].any()
            notes = []
            if p_called and not b_called:
                status = "persistent" if b_trace else "acquired"
                if b_trace:
                    notes.append("pre-existing at baseline below calling filters")
                elif at_base.empty:
                    notes.append("no baseline record (not called; coverage not in VCF)")
                else:
                    notes.append("baseline alt reads below threshold")
            elif b_called and not p_called:
                status = "persistent" if p_trace else "lost"
                if p_trace:
                    notes.append("still detected at progression below calling filters")
                low = [s for s in prog_ids if tf.get(s, 1.0) < min_tumour_fraction]
                if status == "lost" and low:
                    notes.append(
                        "progression tumour fraction below "
                        f"{min_tumour_fraction:g} ({','.join(low)}): loss may be undetected"
                    )
            elif b_called and p_called:
                status = "persistent"
            else:
                continue
            same = at_base[at_base["specimen"].isin(prog_specimens)]
            base_vaf = (same if same["vaf"].notna().any() else at_base)["vaf"].max()
            prog_vaf = at_prog["vaf"].max()
            hit = _resistance_hit(str(gene), str(change), resistance)
            candidate = status == "acquired" and bool(hit)
            if candidate:
                notes.append(f"resistance knowledge base ({hit})")
            detail = [
                f"{r.sample_id}:{'NA' if pd.isna(r.vaf) else f'{r.vaf:.4f}'}"
                f"{'' if r.called else '(' + str(r.filter_status) + ')'}"
                for r in group.sort_values("sample_id").itertuples()
            ]
            rows.append(
                {
                    "patient_id": patient,
                    "gene": gene,
                    "alteration": change,
                    "status": status,
                    "vaf_baseline": base_vaf if (b_called or b_trace) else 0.0,
                    "vaf_progression": prog_vaf if (p_called or p_trace) else 0.0,
                    "resistance_candidate": candidate,
                    "evidence": "; ".join([*notes, " ".join(detail)]),
                    "baseline_samples": ",".join(base_ids),
                    "progression_samples": ",".join(prog_ids),
                }
            )
    out = pd.DataFrame(rows, columns=ACQUIRED_COLUMNS)
    out["vaf_change"] = pd.to_numeric(out["vaf_progression"]) - pd.to_numeric(out["vaf_baseline"])
    return out


def longitudinal_from_alterations(
    alterations: pd.DataFrame,
    samples: pd.DataFrame,
    filters: dict,
    hotspots: str | Path | pd.DataFrame,
    tumour_fraction: pd.DataFrame | None = None,
    min_tumour_fraction: float = 0.05,
) -> pd.DataFrame:
    """:func:`compare_timepoints` on the annotated alterations (QC-passed samples only)."""
    passed = samples[_sequenced(samples)]
    records = tracked_mutations(alterations)
    records = records[records["sample_id"].isin(set(passed["sample_id"]))]
    return compare_timepoints(
        records,
        passed,
        min_alt_reads=lambda specimen: per_specimen(filters.get("min_alt_reads"), specimen, 1.0),
        resistance=resistance_catalogue(hotspots),
        tumour_fraction=tumour_fraction,
        min_tumour_fraction=min_tumour_fraction,
    )


def manuscript_table(acquired: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: counts by status and the acquired changes, candidates marked *."""
    rows = []
    for patient, group in acquired.groupby("patient_id", sort=True):
        gained = group[group["status"] == "acquired"]
        rows.append(
            {
                "patient_id": patient,
                "n_acquired": len(gained),
                "n_lost": int((group["status"] == "lost").sum()),
                "n_persistent": int((group["status"] == "persistent").sum()),
                "acquired_alterations": ", ".join(
                    f"{r.gene} {r.alteration}"
                    + (f" ({r.vaf_progression * 100:.1f}%)" if pd.notna(r.vaf_progression) else "")
                    + ("*" if r.resistance_candidate else "")
                    for r in gained.itertuples()
                ),
                "candidate_resistance_mechanisms": ", ".join(
                    f"{r.gene} {r.alteration}"
                    for r in gained[gained["resistance_candidate"]].itertuples()
                ),
            }
        )
    columns = ["patient_id", "n_acquired", "n_lost", "n_persistent", "acquired_alterations"]
    return pd.DataFrame(rows, columns=[*columns, "candidate_resistance_mechanisms"])


# ---------------------------------------------------------------- concordance


def _sequenced(samples: pd.DataFrame) -> pd.Series:
    """Samples that passed QC and have a variant file."""
    ok = samples["qc_status"].fillna("pass").replace("", "pass").eq("pass")
    return ok & (samples["variant_file"].fillna("").astype(str).str.len() > 0)


def _baseline_sample_ids(samples: pd.DataFrame, specimen: str, timepoint: str) -> pd.DataFrame:
    ok = _sequenced(samples) & samples["specimen"].eq(specimen)
    return samples[ok & samples["timepoint"].eq(timepoint)]


def cohen_kappa(a: int, b: int, c: int, d: int) -> float:
    """Kappa of a 2x2 table: a both+, b first only, c second only, d both-."""
    n = a + b + c + d
    if n == 0:
        return float("nan")
    po = (a + d) / n
    pe = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2
    return float("nan") if pe == 1 else (po - pe) / (1 - pe)


def concordance(
    alterations: pd.DataFrame,
    samples: pd.DataFrame,
    genes: Iterable[str],
    *,
    timepoint: str = BASELINE,
    alteration_types: Iterable[str] = ("mutation",),
) -> pd.DataFrame:
    """Tissue-plasma agreement per gene (CONCORDANCE_COLUMNS), plus an ``any`` row."""
    tissue = _baseline_sample_ids(samples, TISSUE, timepoint)
    plasma = _baseline_sample_ids(samples, CTDNA, timepoint)
    patients = sorted(set(tissue["patient_id"]) & set(plasma["patient_id"]))
    counted = alterations[
        alterations["counts_as_altered"].map(_truthy)
        & alterations["alteration_type"].isin(list(alteration_types))
    ]

    def positive(ids: pd.DataFrame) -> pd.DataFrame:
        """Patients x genes, and ``any`` gene: a counted call in the patient's ``ids`` samples."""
        calls = counted[counted["sample_id"].isin(set(ids["sample_id"]))]
        hits = pd.crosstab(calls["patient_id"], calls["gene"]).reindex(
            index=patients, columns=genes, fill_value=0
        )
        return hits.gt(0).assign(any=lambda h: h.any(axis=1))

    t, p = positive(tissue), positive(plasma)
    a, b, c, d = (t & p).sum(), (t & ~p).sum(), (~t & p).sum(), (~t & ~p).sum()
    with np.errstate(invalid="ignore"):  # 0 / 0: no patient to agree or disagree
        table = {"ppa": a / (a + b), "npa": d / (c + d), "overall_agreement": (a + d) / len(t)}
    counts = {"both_positive": a, "tissue_only": b, "plasma_only": c, "both_negative": d}
    out = pd.DataFrame({"n_patients": len(t), **counts, **table}).rename_axis("gene")
    out["kappa"] = [cohen_kappa(*cells) for cells in zip(a, b, c, d, strict=True)]
    return out.reset_index()[CONCORDANCE_COLUMNS]


# ---------------------------------------------------------------- ctDNA features


def somatic_mutations(frame: pd.DataFrame) -> pd.DataFrame:
    """Mutation calls passing every filter, not CHIP or germline."""
    keep = frame["alteration_type"].eq("mutation") & frame["filter_status"].astype(str).eq("PASS")
    keep &= ~frame["chip_flag"].map(_truthy) & ~frame["germline_flag"].map(_truthy)
    return frame[keep]


def tmb_per_sample(
    variant_tables: dict[str, pd.DataFrame],
    samples: pd.DataFrame,
    filters: dict,
    chip_genes: frozenset | set,
    panel_size_mb: float | dict[str, float] = 1.0,
    chip: dict | None = None,
    excluded: set[tuple[str, str, int, str, str]] | None = None,
    read_regions: str | None = "all",
) -> pd.Series:
    """Somatic non-synonymous mutations per coding Mb: every gene of the variant table, the
    annotate stage's filters (specimen thresholds, germline, CHIP) applied; the denominator is
    the sample's panel size (:func:`her2resist.annotate.tmb.coding_megabases`), NaN where it
    is unknown (not reported). Also left out: variants in ``excluded`` ((patient, chrom, pos,
    ref, alt), e.g. germline or CHIP in the patient's normal, see :func:`flagged_variants`)
    and, without a matched normal, calls at a germline-like VAF (0.4-0.6 or >= 0.9)."""
    info = samples.set_index("sample_id")
    ids = [sid for sid in variant_tables if sid in info.index]
    if not ids:
        return pd.Series(dtype=float)
    # every sample's calls in one frame: per-sample pandas costs seconds on a cohort
    tables = [variant_tables[sid] for sid in ids]
    calls = pd.concat(tables, ignore_index=True)
    sample_of = np.repeat(ids, [len(t) for t in tables])
    classes = calls.get("variant_class", pd.Series(dtype=object, index=calls.index))
    vaf = pd.to_numeric(calls["vaf"], errors="coerce")
    unmatched = pd.to_numeric(calls["normal_vaf"], errors="coerce").isna()
    kept = classes.isin(NONSYNONYMOUS) & ~(unmatched & (vaf.between(0.4, 0.6) | vaf.ge(0.9)))
    specimen = info["specimen"].astype(str).to_dict()
    patient = info["patient_id"].astype(str).to_dict()
    excluded = excluded or set()
    passing = []
    for sid, row in zip(sample_of[kept.to_numpy()], records(calls[kept]), strict=True):
        key = (patient[sid], str(row["chrom"]), int(row["pos"]), row["ref"], row["alt"])
        reason = chip_call(row, specimen[sid], chip_genes, chip)
        if key not in excluded and not mutation_filters(row, specimen[sid], filters, reason):
            passing.append(sid)
    counts = pd.Series(passing, dtype=object).value_counts().reindex(ids, fill_value=0)
    sizes = [coding_megabases(panel_size_mb, s, read_regions) for s in records(info.loc[ids])]
    return counts / pd.Series([size or np.nan for size in sizes], index=ids, dtype=float)


def flagged_variants(alterations: pd.DataFrame) -> set[tuple[str, str, int, str, str]]:
    """(patient, chrom, pos, ref, alt) of calls germline or CHIP-in-normal in the patient."""
    frame, flagged = _flagged_mutations(alterations)
    return {
        (str(r.patient_id), str(r.chrom), int(float(r.pos)), r.ref, r.alt)
        for r in frame[flagged].itertuples()
    }


def _at_least(values: pd.Series, bound: float) -> pd.Series:
    return values.map(
        lambda v: NOT_EVALUABLE if pd.isna(v) else (ALTERED if v >= bound else WILD_TYPE)
    )


def _median_split(values: pd.Series) -> pd.Series:
    """Strictly above the median of the evaluable values: at least the next value up."""
    above = values[values > values.median()]
    return _at_least(values, above.min() if len(above) else np.inf)


def ctdna_features(
    alterations: pd.DataFrame,
    samples: pd.DataFrame,
    patients: Iterable[str],
    tumour_fraction: pd.DataFrame,
    pathways: dict[str, list[str]],
    tmb: pd.Series | None = None,
    timepoint: str = BASELINE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(status table: patient_id + FEATURES, values table: FEATURE_VALUE_COLUMNS).

    Above/below median: strictly above the cohort median of evaluable patients is
    ``altered``. A patient without QC-passed baseline plasma is ``not_evaluable`` for the
    plasma features; without baseline tissue, for tissue TMB."""
    patients = pd.Index(sorted(set(patients)), name="patient_id")
    tmb = tmb if tmb is not None else pd.Series(dtype=float)
    tf = tumour_fraction.set_index("sample_id")["estimate"] if len(tumour_fraction) else {}

    def per_patient(ids: pd.DataFrame, values: pd.Series | dict) -> pd.Series:
        """The largest of the samples' values per patient (NaN: none known)."""
        known = pd.to_numeric(ids["sample_id"].map(values), errors="coerce")
        return known.groupby(ids["patient_id"].to_numpy()).max().reindex(patients)

    plasma = _baseline_sample_ids(samples, CTDNA, timepoint)
    somatic = somatic_mutations(alterations)
    calls = somatic[somatic["sample_id"].isin(set(plasma["sample_id"]))]
    owner = calls["sample_id"].map(plasma.set_index("sample_id")["patient_id"]).to_numpy()
    counts = calls["counts_as_altered"].map(_truthy).to_numpy()
    altered = set(zip(owner[counts], calls["gene"].to_numpy()[counts], strict=True))
    with_plasma = patients.isin(plasma["patient_id"])
    v = pd.DataFrame(index=patients)
    v["ctdna_n_somatic"] = calls.groupby(owner).size().reindex(patients, fill_value=0)
    v["ctdna_tumour_fraction"] = per_patient(plasma, tf)
    vafs = pd.to_numeric(calls["vaf"], errors="coerce").groupby(owner).max()
    v["ctdna_max_vaf"] = vafs.reindex(patients).fillna(0.0)
    v["ctdna_n_altered_pathways"] = [
        sum(any((p, g) in altered for g in members) for members in pathways.values())
        for p in patients
    ]
    v["tissue_tmb_per_mb"] = per_patient(_baseline_sample_ids(samples, TISSUE, timepoint), tmb)
    v["plasma_btmb_per_mb"] = per_patient(plasma, tmb)
    plasma_only = [c for c in v if not c.startswith("tissue_")]
    v[plasma_only] = np.where(with_plasma[:, None], v[plasma_only], np.nan)
    status = pd.DataFrame(index=v.index)
    status["ctdna_detectable"] = _at_least(v["ctdna_n_somatic"], 1)
    status["ctdna_tumour_fraction_above_median"] = _median_split(v["ctdna_tumour_fraction"])
    status["ctdna_max_vaf_above_median"] = _median_split(v["ctdna_max_vaf"])
    status["ctdna_pathways_altered>=2"] = _at_least(v["ctdna_n_altered_pathways"], 2)
    status["tissue_tmb_above_median"] = _median_split(v["tissue_tmb_per_mb"])
    status["plasma_btmb_above_median"] = _median_split(v["plasma_btmb_per_mb"])
    return status.reset_index(), v.reset_index()[FEATURE_VALUE_COLUMNS]


# ---------------------------------------------------------------- figures


def plot_vaf_trajectories(acquired: pd.DataFrame, stem: Path) -> None:
    """Small multiples, one per patient: VAF at baseline and progression per alteration,
    coloured by status (Okabe-Ito), resistance candidates as stars; ``stem``.png (300 dpi)
    and .pdf."""
    # matplotlib (and the report's figure writer, an Agg canvas without pyplot) here, not at
    # the top: the core env of rules annotate and ctdna_features, which import this module,
    # has none (workflow/envs/core.yaml).
    from matplotlib.lines import Line2D

    from her2resist.report.figures import new_figure, save_figure

    patients = sorted(acquired["patient_id"].unique())
    n = max(len(patients), 1)
    columns = min(4, n)
    rows = int(np.ceil(n / columns))
    fig = new_figure(2.6 * columns, 2.4 * rows)
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    for ax, patient in zip(axes.flat, patients, strict=False):
        group = acquired[acquired["patient_id"] == patient]
        labels = []
        for r in group.itertuples():
            y = [r.vaf_baseline * 100, r.vaf_progression * 100]
            ax.plot(
                [0, 1],
                y,
                color=STATUS_COLOURS.get(r.status, "#000000"),
                marker="*" if r.resistance_candidate else "o",
                markersize=9 if r.resistance_candidate else 4,
                linewidth=1.2,
            )
            if r.status == "acquired" or r.resistance_candidate:
                labels.append((y[1], f"{r.gene} {r.alteration}"))
        # Labels at least 6 % of the panel's height apart, so they never overprint.
        gap = 0.06 * max(acquired[["vaf_baseline", "vaf_progression"]].max().max() * 100, 1)
        placed: list[float] = []
        for y, text in sorted(labels):
            at = max(y, placed[-1] + gap) if placed else y
            placed.append(at)
            ax.annotate(text, (1, y), xytext=(1.08, at), fontsize=6, va="center")
        ax.set_title(patient, fontsize=8)
        ax.set_xticks([0, 1], ["baseline", "progression"], fontsize=7)
        ax.set_xlim(-0.2, 1.8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(patients) :]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("VAF (%)", fontsize=8)
    handles = [Line2D([], [], color=c, marker="o", label=s) for s, c in STATUS_COLOURS.items()] + [
        Line2D([], [], color="black", marker="*", linestyle="", label="resistance candidate")
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    save_figure(fig, stem)


def plot_acquired_oncoprint(acquired: pd.DataFrame, stem: Path) -> None:
    """Genes x patients: acquired resistance candidate (vermillion), other acquired (sky blue);
    ``stem``.png and .pdf."""
    from matplotlib.patches import Patch, Rectangle

    from her2resist.report.figures import new_figure, save_figure  # not at the top: see above

    patients = sorted(acquired["patient_id"].unique())
    gained = acquired[acquired["status"] == "acquired"]
    genes = list(gained["gene"].value_counts().sort_index().sort_values(ascending=False).index)
    fig = new_figure(1.2 + 0.45 * max(len(patients), 1), 1.2 + 0.35 * max(len(genes), 1))
    ax = fig.subplots()
    for i, gene in enumerate(genes):
        for j, patient in enumerate(patients):
            hits = gained[(gained["gene"] == gene) & (gained["patient_id"] == patient)]
            colour = "#EEEEEE"
            if len(hits):
                candidate = hits["resistance_candidate"].any()
                colour = RESISTANCE_COLOUR if candidate else OTHER_ACQUIRED_COLOUR
            ax.add_patch(Rectangle((j + 0.05, i + 0.05), 0.9, 0.9, color=colour))
            if len(hits):
                text = "\n".join(hits["alteration"])
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=5)
    ax.set_xlim(0, max(len(patients), 1))
    ax.set_ylim(max(len(genes), 1), 0)
    ax.set_xticks(np.arange(len(patients)) + 0.5, patients, rotation=90, fontsize=7)
    ax.set_yticks(np.arange(len(genes)) + 0.5, genes, fontsize=7)
    ax.set_title("Alterations acquired at progression", fontsize=9)
    ax.spines[:].set_visible(False)
    ax.legend(
        handles=[
            Patch(color=RESISTANCE_COLOUR, label="candidate resistance mechanism"),
            Patch(color=OTHER_ACQUIRED_COLOUR, label="other acquired"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25),
        fontsize=6,
        frameon=False,
    )
    fig.tight_layout()
    save_figure(fig, stem)
