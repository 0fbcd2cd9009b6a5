"""The scenario: every parameter of a run, validated once at load (pydantic, ``extra="forbid"``).

Defaults describe a plausible mid-size county in central/western China: about 200,000
residents, 12 townships, 150 villages and 20,000 pupils in grades 1-9. Each field's
description says its unit and where the default comes from; "facts.md" is
``shared/data/facts.md`` and names its own sources (MoE bulletins, NBS, REAP, 教督〔2017〕6号).
Defaults marked *assumption* are to be calibrated (see ``calibration/``).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.scenario.policies import PoliciesConfig
from sim.scenario.schema_base import (
    MAX_AREA_KM2,
    MAX_CHILDREN,
    MAX_HOUSEHOLD,
    MAX_MINUTES,
    MAX_RESIDENTS,
    MAX_SCHOOL_PUPILS,
    MAX_YUAN,
    BirthsIndexValue,
    Bool,
    DetourFactor,
    Factor,
    Float,
    Int,
    LevelPupils,
    Minutes,
    RelativeWeight,
    Residents,
    Seed,
    Share,
    SpeedKmh,
    StageClassCap,
    StageCommuteMinutes,
    StagePupilsPerTeacher,
    StageSchoolSize,
    StageShares,
    StageStaffing,
    StageUtilities,
    StageWeights,
    StageYuan,
    Strict,
    Utility,
    Weight,
    Year,
    Yuan,
)

LEVELS = ("teaching_point", "primary", "junior", "nine_year")
TIERS = ("village", "township", "county_town")
SETTLEMENT_KINDS = ("county_town", "town", "village")
TERRAINS = ("plain", "hill", "mountain")
ROAD_CLASSES = ("county", "township", "village")
# A scenario name becomes a folder name (outputs/<name>-seed<seed>): a slug cannot hold a path
# separator or start with '.', so it cannot leave outputs/ or hide; 64 characters keep paths short.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
MAX_NAME_LENGTH = 64

# NBS births in millions (facts.md, "Demography"). Years between entries are interpolated.
NBS_BIRTHS_MILLIONS: dict[int, float] = {
    2000: 17.71,
    2005: 16.17,
    2010: 15.92,
    2012: 16.35,
    2014: 16.87,
    2015: 16.55,
    2016: 17.86,
    2017: 17.23,
    2018: 15.23,
    2019: 14.65,
    2020: 12.02,
    2021: 10.62,
    2022: 9.56,
    2023: 9.02,
    2024: 9.54,
}


# NBS per-capita income by year (yuan/yr; facts.md "Incomes": rural net income 2000 and 2010,
# disposable income from 2013; 2024 from the NBS 2024 communiqué, cited in FamiliesConfig).
NBS_RURAL_INCOME_YUAN: dict[int, float] = {
    2000: 2_253.0,
    2010: 5_919.0,
    2013: 9_430.0,
    2015: 11_422.0,
    2020: 17_131.0,
    2023: 21_691.0,
    2024: 23_119.0,
}
NBS_URBAN_INCOME_YUAN: dict[int, float] = {
    2000: 6_280.0,
    2010: 19_109.0,
    2013: 26_467.0,
    2015: 31_195.0,
    2020: 43_834.0,
    2023: 51_821.0,
    2024: 54_188.0,
}
#: A per-capita income (yuan/yr): above 0, at most MAX_YUAN.
IncomeYuan = Annotated[Float, Field(gt=0, le=MAX_YUAN)]
#: Births per 1,000 women a year in an age group: at most 1,000 (one birth per woman a year).
FertilityRate = Annotated[Float, Field(ge=0, le=1000)]


class CountyConfig(Strict):
    """The county: generated synthetically, or read from a directory of CSV files."""

    file: str | None = Field(
        None,
        description="Directory with settlements.csv, schools.csv and optional roads.csv for a "
        "real county (relative paths are taken from the scenario file's folder). Empty: "
        "generate a synthetic county from the fields below.",
    )
    residents: Int = Field(
        200_000,
        gt=0,
        le=MAX_RESIDENTS,
        description="Residents (persons). Mid-size county of central/western China.",
    )
    townships: Int = Field(12, ge=1, le=200, description="Townships (乡镇), each with a seat town.")
    villages: Int = Field(
        150, ge=0, le=5000, description="Administrative villages outside the seats."
    )
    area_km2: Float = Field(
        2_000.0,
        gt=0,
        le=MAX_AREA_KM2,
        description="Land area (km²); settlements are placed in a square of this area.",
    )
    terrain: Literal["plain", "hill", "mountain"] = Field(
        "hill", description="Terrain class: sets road detour and speed (see `roads`)."
    )
    county_town_share: Float = Field(
        0.35,
        gt=0,
        lt=1,
        description="Share of residents living in the county town (县城). Assumption: county-level "
        "urbanisation below the national 67% of 2024 (facts.md), about half of it in the county "
        "town.",
    )
    township_seat_share: Float = Field(
        0.15,
        ge=0,
        lt=1,
        description="Share of residents living in township seats together (assumption).",
    )
    urban_hukou_share_county_town: Float = Field(
        0.5, ge=0, le=1, description="Share of county-town families with urban hukou (assumption)."
    )
    initial_roll_headroom: Float | None = Field(
        0.15,
        ge=0,
        le=2,
        description="Synthetic county: once the first pupils are placed, each school's classrooms "
        "are resized to seat its initial roll plus this share (per grade, whole classrooms of "
        "schools.class_cap; the multigrade rule of small schools as at generation), so schools "
        "start at realistic utilisation and hollowness comes from decline, not construction. "
        "Assumption: +15%, because schools were built for the cohorts of their time with some "
        "spare (a cohort swing of about ±10% between years, NBS births 2000-2010, facts.md, and "
        "rounding to whole classrooms). Empty: keep the classrooms generated from expected "
        "pupils (schools.capacity_slack). A county read from files keeps its own classrooms.",
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> "CountyConfig":
        if self.county_town_share + self.township_seat_share >= 1:
            raise ValueError(
                "county_town_share + township_seat_share must be below 1 (villages need "
                f"residents), got {self.county_town_share} + {self.township_seat_share}"
            )
        return self


class FamiliesConfig(Strict):
    """Families with children: size and income."""

    children_per_family: list[Share] = Field(
        [0.5, 0.4, 0.1],
        min_length=1,
        max_length=MAX_CHILDREN,
        description="Probabilities of 1, 2, 3, ... children per family (assumption; two-child "
        "policy era).",
    )
    income_median_rural_yuan: Yuan = Field(
        20_000.0,
        gt=0,
        description="Median per-capita disposable income of rural-hukou families in the start "
        "year (yuan/yr); later years follow rural_income_path. NBS 2024 national rural figure is "
        "23,119; central/western counties are lower.",
    )
    income_median_urban_yuan: Yuan = Field(
        42_000.0,
        gt=0,
        description="Median per-capita disposable income of urban-hukou families in the start "
        "year (yuan/yr); later years follow urban_income_path. NBS 2024 national urban figure is "
        "54,188; county towns are lower.",
    )
    income_sigma: Float = Field(0.6, gt=0, le=3, description="Log-sd of income (lognormal).")
    rural_income_path: dict[Year, IncomeYuan] = Field(
        default_factory=lambda: dict(NBS_RURAL_INCOME_YUAN),
        min_length=1,
        description="National rural per-capita income by calendar year (yuan/yr; NBS, facts.md "
        "'Incomes': net income 2000 and 2010, disposable income from 2013; 2024 from the NBS "
        "2024 communiqué, as income_median_rural_yuan). Rural-hukou incomes grow with it (only "
        "ratios between years are used); interpolated between years, held before the first, "
        "extended by income_trend_per_year after the last. The 2010-2013 step includes the "
        "switch from net to disposable income.",
    )
    urban_income_path: dict[Year, IncomeYuan] = Field(
        default_factory=lambda: dict(NBS_URBAN_INCOME_YUAN),
        min_length=1,
        description="National urban per-capita disposable income by calendar year (yuan/yr; NBS, "
        "facts.md 'Incomes'; 2024 as income_median_urban_yuan). Urban-hukou incomes grow with "
        "it, as rural_income_path.",
    )
    income_trend_per_year: Float = Field(
        0.05,
        ge=-0.5,
        le=0.5,
        description="Yearly relative income growth after the last year of the income paths. "
        "Assumption: nominal growth near 2024's (rural +6.6%, urban +4.6%, from the paths).",
    )
    mother_age_at_first_birth_mean: Float = Field(
        24.5,
        ge=15,
        le=45,
        description="Mean age of a family's mother at her first child's birth (years; normal "
        "draw). China's mean age at first birth was about 24 in 2000, rising to about 26 by "
        "2015-2020 (facts.md, fertility schedule; confidence L).",
    )
    mother_age_at_first_birth_sd: Float = Field(
        3.5,
        gt=0,
        le=10,
        description="Sd of the mother's age at her first child's birth (years; assumption).",
    )

    @model_validator(mode="after")
    def _probabilities(self) -> "FamiliesConfig":
        p = self.children_per_family
        if not p or any(x < 0 for x in p) or abs(sum(p) - 1) > 1e-6:
            raise ValueError(f"children_per_family must be non-negative and sum to 1, got {p}")
        return self


class DemographyConfig(Strict):
    """Births and the age structure."""

    birth_rate_per_1000: Float = Field(
        7.0,
        gt=0,
        le=40,
        description="Births per 1,000 residents in the start year. National 2024: 9.54m births "
        "(facts.md, NBS) over 1.408bn residents = 6.8; a rural county slightly above.",
    )
    births_index: dict[Year, BirthsIndexValue] = Field(
        default_factory=lambda: dict(NBS_BIRTHS_MILLIONS),
        min_length=1,
        description="Relative birth numbers by calendar year (any scale; default NBS births, "
        "millions, facts.md). Cohorts born before the start year, and births after it, follow this "
        "index relative to the start year; years between entries are interpolated.",
    )
    births_trend_per_year: Float = Field(
        -0.02,
        ge=-0.5,
        le=0.5,
        description="Yearly relative change of births after the last year of births_index "
        "(assumption: the decline continues slowly).",
    )
    resident_cohort_share: Float = Field(
        0.9,
        gt=0,
        le=1,
        description="Share of each earlier birth cohort still living in the county at the start "
        "(others already left with migrant parents). Assumption, set so the default county has "
        "about 20,000 pupils.",
    )
    school_entry_age: Int = Field(6, ge=5, le=8, description="Age at entry to grade 1 (years).")
    repetition_rate: Float = Field(
        0.0, ge=0, le=0.5, description="Share of pupils repeating a grade each year."
    )
    fertility_by_age_group: list[FertilityRate] = Field(
        [5.9, 69.5, 84.1, 45.8, 18.7, 7.5, 4.3],
        min_length=1,
        max_length=10,
        description="Age-specific fertility of mothers by five-year age group from age 15 "
        "(15-19, 20-24, ...; births per 1,000 women a year). Only the shape matters: each year "
        "the level is scaled so that the county's expected births follow births_index. Default: "
        "the 2010 census (第六次全国人口普查) rates, TFR 1.18 (facts.md, fertility schedule).",
    )


class RoadsConfig(Strict):
    """Road network and travel modes."""

    walk_speed_kmh: Float = Field(4.0, gt=0, le=10, description="Walking speed of a pupil (km/h).")
    walk_max_km: Float = Field(
        2.0,
        ge=0,
        le=10,
        description="Pupils walk when the school is closer than this (km), else ride. About "
        "30 minutes' walk, the norm for young pupils (facts.md).",
    )
    ride_speed_kmh: dict[Literal["county", "township", "village"], SpeedKmh] = Field(
        default_factory=lambda: {"county": 40.0, "township": 30.0, "village": 20.0},
        description="Riding speed (km/h) by road class on plain terrain (motorbike, e-bike, "
        "parents' car; assumption).",
    )
    terrain_speed_factor: dict[Literal["plain", "hill", "mountain"], Factor] = Field(
        default_factory=lambda: {"plain": 1.0, "hill": 0.8, "mountain": 0.6},
        description="Multiplier on riding speed by terrain (assumption).",
    )
    terrain_detour_factor: dict[Literal["plain", "hill", "mountain"], DetourFactor] = Field(
        default_factory=lambda: {"plain": 1.2, "hill": 1.4, "mountain": 1.8},
        description="Road length over straight-line distance by terrain (assumption).",
    )
    local_minutes: dict[Literal["county_town", "town", "village"], Minutes] = Field(
        default_factory=lambda: {"county_town": 15.0, "town": 10.0, "village": 8.0},
        description="Commute to a school in one's own settlement (minutes; assumption).",
    )
    ride_access_minutes: Float = Field(
        5.0,
        ge=0,
        le=MAX_MINUTES,
        description="Fixed time added to every ride (getting ready, parking; minutes).",
    )


class SchoolsConfig(Strict):
    """Initial school layout and class sizes."""

    class_cap: StageClassCap = Field(
        default_factory=lambda: StageClassCap(primary=45, junior=50),
        description="Standard class size caps (pupils): 45 primary, 50 junior (facts.md).",
    )
    max_class_size: Int = Field(
        65,
        ge=1,
        le=120,
        description="Largest class a school fills by choice: seats per grade for pupils from "
        "outside the catchment (择校) = classrooms of that grade x this, less the pupils already "
        "there. Catchment pupils are admitted by right beyond it (大班额, 超大班额 form when "
        "catchment demand forces them); 65 is the top of the 大班额 band (facts.md).",
    )
    multigrade_max: Int = Field(
        25,
        ge=1,
        le=60,
        description="Adjacent small grades are taught together (复式班) while their combined "
        "pupils stay within this number (assumption).",
    )
    village_school_min_population: Residents = Field(
        1_000,
        description="Synthetic county: villages with at least this many residents have a "
        "primary school (assumption).",
    )
    teaching_point_min_population: Residents = Field(
        500,
        description="Synthetic county: smaller villages with at least this many residents have "
        "a teaching point (教学点); smaller still have none.",
    )
    teaching_point_top_grade: Int = Field(
        3, ge=1, le=6, description="Teaching points serve grades 1 to this grade (default 1-3)."
    )
    nine_year_share: Float = Field(
        0.3,
        ge=0,
        le=1,
        description="Synthetic county: share of township seats whose junior school is a "
        "nine-year school (九年一贯制) instead of a separate primary and junior (assumption).",
    )
    county_town_school_size: StageSchoolSize = Field(
        default_factory=lambda: StageSchoolSize(primary=1500, junior=2000),
        description="Synthetic county: pupils per county-town school, sets how many there are "
        "(size caps of new schools in plans, facts.md).",
    )
    capacity_slack: Float = Field(
        1.15,
        ge=0.5,
        le=3,
        description="Synthetic county: classrooms per grade = ceil(expected pupils x slack / class "
        "cap); below 1, the county starts short of classrooms.",
    )
    boarding_share: StageShares = Field(
        default_factory=lambda: StageShares(primary=0.12, junior=0.47),
        description="Synthetic county: beds in township and county-town schools as a share of "
        "their expected pupils (boarders ≈11-12% primary, ≈47% junior; facts.md).",
    )


class TeachersConfig(Strict):
    """Teacher staffing, careers and quality inputs."""

    pupil_teacher_ratio: StagePupilsPerTeacher = Field(
        default_factory=lambda: StagePupilsPerTeacher(primary=19, junior=13.5),
        description="Staffing standard, pupils per teacher: 19 primary, 13.5 junior (2014 unified "
        "standard, facts.md).",
    )
    class_teacher_ratio: StageStaffing = Field(
        default_factory=lambda: StageStaffing(primary=1.7, junior=3.0),
        description="Teachers per class (班师比) used for small schools: need = "
        "max(ceil(pupils/PTR), ceil(classes x CTR)). Assumption from provincial small-school "
        "norms.",
    )
    initial_staffing: Float = Field(
        1.0, gt=0, le=2, description="Teachers at start as a share of need."
    )
    quota_factor: Float = Field(
        1.05,
        gt=0,
        le=3,
        description="County post quota (编制) as a multiple of the initial staffing need; hires "
        "stop at it.",
    )
    retirement_age: Int = Field(
        60, ge=50, le=70, description="Teachers retire at this age (years)."
    )
    age_mean: Float = Field(
        41.0, ge=22, le=60, description="Mean teacher age at start (years; assumption)."
    )
    age_sd: Float = Field(9.0, gt=0, le=20, description="Sd of teacher age at start (years).")
    hire_age: Float = Field(24.0, ge=20, le=40, description="Age of new hires (years).")
    attrition_rate: Float = Field(
        0.03,
        ge=0,
        le=0.5,
        description="Yearly chance a teacher in a county-town school quits (assumption).",
    )
    rural_attrition_extra: StageShares = Field(
        default_factory=lambda: StageShares(primary=0.04, junior=0.03),
        description="Added yearly quit chance in village and township schools (attrition 5-10% a "
        "year, facts.md, low confidence).",
    )
    attrition_remote_per_hour: Float = Field(
        0.02,
        ge=0,
        le=1,
        description="Added yearly quit chance per hour of travel from the county town.",
    )
    attrition_small_school: Float = Field(
        0.03,
        ge=0,
        le=1,
        description="Added yearly quit chance in a school with fewer than small_school_pupils.",
    )
    small_school_pupils: Int = Field(
        100,
        ge=0,
        le=MAX_SCHOOL_PUPILS,
        description="Small-scale school: under 100 pupils (facts.md).",
    )
    attrition_low_quality: Float = Field(
        0.05,
        ge=0,
        le=1,
        description="Added yearly quit chance at quality 0, falling linearly to 0 at quality 0.7.",
    )
    refusal_remote_per_hour: Float = Field(
        0.3,
        ge=0,
        le=1,
        description="Chance a new hire refuses a village or township post, per hour of travel from "
        "the county town.",
    )
    hire_share_of_vacancies: Float = Field(
        0.8, ge=0, le=1, description="Share of vacancies the county fills each year."
    )
    skill_mean: Float = Field(
        0.5, ge=0, le=1, description="Mean teacher skill at start (0-1 scale)."
    )
    skill_sd: Float = Field(0.15, ge=0, le=0.5, description="Sd of teacher skill.")
    skill_gap_town_village: Float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="Mean skill of county-town teachers above village teachers at start (township "
        "teachers halfway). Assumption: rural teachers are less qualified.",
    )
    skill_gain_per_year: Float = Field(
        0.01, ge=0, le=0.1, description="Skill gained per year of experience."
    )
    backbone_share: Float = Field(
        0.1, ge=0, le=1, description="Share of teachers who are backbone (骨干) teachers."
    )


class QualityConfig(Strict):
    """School quality Q in [0, 1] and how it moves."""

    weight_skill: RelativeWeight = Field(0.4, description="Weight of mean teacher skill.")
    weight_staffing: RelativeWeight = Field(
        0.3, description="Weight of teachers over staffing need (capped at 1)."
    )
    weight_coverage: RelativeWeight = Field(
        0.2,
        description="Weight of subject coverage (开齐开足): teachers over subject teachers needed.",
    )
    weight_class_size: RelativeWeight = Field(
        0.1, description="Weight of class size within the cap."
    )
    subject_teachers: StageStaffing = Field(
        default_factory=lambda: StageStaffing(primary=6, junior=9),
        description="Teachers a school needs to teach every subject (assumption).",
    )
    adjustment_rate: Float = Field(
        0.5, gt=0, le=1, description="Share of the gap to the target quality closed each year."
    )


class ChoiceConfig(Strict):
    """School choice: a random-utility model and deferred acceptance."""

    candidates: Int = Field(
        6, ge=1, le=30, description="Nearest schools of the right level each pupil considers (K)."
    )
    include_county_town: Bool = Field(
        True, description="Also consider county-town schools of the right level "
        "(county_town_candidates of them)."
    )
    county_town_candidates: Int = Field(
        4, ge=0, le=30,
        description="County-town schools of the right level every pupil also considers (M): "
        "all of them when the town has at most M, else the M of the highest quality last year "
        "(the schools 择校 aims at). Bounds the candidate set at candidates + M whatever the "
        "county's size. Rationale: a default county has 4 county-town primary and 2 junior "
        "schools, so 4 leaves its choices unchanged; families choosing a town school compare "
        "a few well-known ones, not every school of a large city.",
    )
    beta_quality: Weight = Field(
        3.0, description="Utility per unit of school quality (Q in 0-1). Assumption."
    )
    beta_time: Weight = Field(
        0.06, description="Disutility per minute of daily commute. Assumption."
    )
    beta_boarding: StageWeights = Field(
        default_factory=lambda: StageWeights(primary=2.0, junior=1.35),
        description="Disutility of boarding (utility units), besides its fee and the weekly "
        "trip (a boarder's time term is commute / 5). Junior: a family at the boarding threshold "
        "(40 min) is indifferent between the day commute and boarding, so beta_boarding + "
        "beta_fee x fee = beta_time x 40 x (1 - 1/5), i.e. 1.92 - 0.58 ≈ 1.35 (rationale: the "
        "threshold is where boarding starts to pay). Primary: 0.65 more, as boarding harms "
        "younger pupils most (REAP evidence, facts.md; assumption).",
    )
    beta_boarding_parents_away: Weight = Field(
        0.5,
        description="Utility of boarding to a child whose parents work away (留守): the school "
        "supervises it, as the rural boarding-school programme of 2004-2007 intended (rationale; "
        "the value is an assumption, the size of 10 minutes of daily commute, until calibrated). "
        "A pupil boards at a school with a bed for it when its commute there exceeds "
        "boarding.threshold_min and beta_time x commute x (1 - 1/5) exceeds the boarding terms "
        "(beta_boarding + beta_fee x fee + young penalty - this), or when the day commute is "
        "beyond max_commute_min.",
    )
    beta_fee: Weight = Field(
        0.0005, description="Disutility per yuan a year of fees and boarding costs."
    )
    beta_stay: Weight = Field(
        2.0, description="Utility of staying in the current school (switching cost)."
    )
    beta_sibling: Weight = Field(0.5, description="Utility of a sibling at the school.")
    voluntary_switch_share: Float = Field(
        0.02, ge=0, le=1, description="Share of other pupils who reconsider their school each year."
    )
    dropout_utility: StageUtilities = Field(
        default_factory=lambda: StageUtilities(primary=-4.8, junior=-4.6),
        description="Utility of the outside option (dropping out) before its terms; junior pupils "
        "drop out far more (primary dropout 0.39-0.51%/yr, facts.md). Assumption to calibrate.",
    )
    dropout_per_grade: Weight = Field(
        0.2, description="Outside-option utility added per grade above 1."
    )
    catchment_within_township: Bool = Field(
        True,
        description="Catchment (划片) outside the county town: the nearest open school teaching "
        "the grade within the pupil's township (true: zones follow township boundaries, as "
        "counties designate a township's schools for its villages), or the nearest anywhere "
        "(false).",
    )
    taste_scale: Float = Field(
        0.35,
        gt=0,
        le=5,
        description="Scale of the Gumbel taste shock between schools (utility units; sd = "
        "scale x 1.28). The outside option keeps scale 1 (a nested logit: schools one nest). "
        "Assumption: a family's idiosyncratic taste for one school over another is worth about "
        "7 minutes of daily commute (0.45 utility at beta_time 0.06), less than the quality gap "
        "between tiers, because families choose mainly by catchment and distance (就近入学).",
    )
    choice_fee_yuan: Yuan = Field(
        2_000.0,
        description="Yearly cost to a family of a school outside its catchment (择校: sponsorship "
        "fees, rent near the school, favours), in yuan; enters as beta_fee x this. Assumption: "
        "of the order of the boarding cost (1,157 yuan/yr, facts.md) or more, since 择校 needs "
        "money or connections a catchment seat does not.",
    )
    dropout_return_rate: Share = Field(
        0.1,
        description="Yearly chance that a dropout of compulsory age returns to school (into the "
        "grade it left). Assumption: without an active 控辍保学 campaign few return; the "
        "admission policy's dropout_return_rate raises it.",
    )
    dropout_return_max_age: Int = Field(
        15,
        ge=6,
        le=20,
        description="Oldest age (years) at which a dropout may return: compulsory education "
        "covers ages 6-15 (义务教育法, 适龄儿童少年).",
    )


class BoardingConfig(Strict):
    """Who may and who must board."""

    min_grade: Int = Field(
        4,
        ge=1,
        le=9,
        description="Lowest grade that may board: grades 1-3 do not board (2012 and 2018 rules, "
        "facts.md).",
    )
    threshold_min: Minutes = Field(
        40.0,
        description="A pupil may board at a school with beds when the commute exceeds this "
        "(minutes; commute norm ≈ 40 min, facts.md); it boards when boarding is worth it to the "
        "family (choice.beta_boarding_parents_away) or the day commute is too long.",
    )
    max_commute_min: StageCommuteMinutes = Field(
        default_factory=lambda: StageCommuteMinutes(primary=60.0, junior=90.0),
        description="Longest daily commute a family accepts (minutes); beyond it a school needs a "
        "bed (assumption).",
    )
    fee_yuan: Yuan = Field(
        1_157.0, description="Cost of boarding to a family (yuan/yr; ≈2012 survey, facts.md)."
    )


class HollowConfig(Strict):
    """When a school counts as hollow (空心校)."""

    max_utilisation: Float = Field(
        1 / 3,
        ge=0,
        le=1,
        description="Open school with pupils / (classrooms x class cap) below this is hollow.",
    )
    min_pupils: LevelPupils = Field(
        default_factory=lambda: LevelPupils(
            teaching_point=5, primary=20, junior=100, nine_year=100
        ),
        description="Open school with fewer pupils than this is hollow (Gansu had 853 schools with "
        "≤5 pupils, facts.md; the others are assumptions).",
    )
    recent_investment_years: Int = Field(
        5,
        ge=0,
        le=30,
        description="A hollow school built or expanded this recently is a *new* hollow school.",
    )


class CostsConfig(Strict):
    """Yearly costs to the county (yuan)."""

    teacher_salary_yuan: Yuan = Field(
        90_000.0, description="Yearly cost of one teacher with benefits (yuan; assumption)."
    )
    per_pupil_yuan: StageYuan = Field(
        default_factory=lambda: StageYuan(primary=650, junior=850),
        description="Per-pupil operating funds (yuan/yr; 2021 national standard, facts.md).",
    )
    per_school_yuan: Yuan = Field(
        19_000.0,
        description="Fixed yearly cost per open school (Gansu small-school funding, facts.md).",
    )
    per_class_yuan: Yuan = Field(5_000.0, description="Yearly cost per class taught (assumption).")
    per_boarder_yuan: Yuan = Field(
        600.0, description="County cost per boarder (yuan/yr; ≈60 yuan/month allowance, facts.md)."
    )


class AccessConfig(Strict):
    """What counts as hard access to school (上学难) in the metrics."""

    commute_limit_min: StageCommuteMinutes = Field(
        default_factory=lambda: StageCommuteMinutes(primary=40.0, junior=60.0),
        description="A day pupil commuting longer than this has hard access (minutes; primary "
        "commute norm ≈ 40 min, facts.md; junior an assumption).",
    )
    young_grade_max: Int = Field(
        3,
        ge=0,
        le=9,
        description="Boarders in this grade or below are young boarders (grades 1-3 should not "
        "board: 2012 and 2018 rules, facts.md).",
    )


class RefusedResponse(Strict):
    """What a family in town does when its child is refused by every county-town school."""

    go_back: Float = Field(0.3, ge=0, le=1, description="The whole family returns home.")
    stay_behind: Float = Field(
        0.5,
        ge=0,
        le=1,
        description="The child goes back to the home village; parents stay away (留守).",
    )
    leave: Float = Field(0.2, ge=0, le=1, description="The family leaves the county.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> "RefusedResponse":
        total = self.go_back + self.stay_behind + self.leave
        if abs(total - 1) > 1e-6:
            raise ValueError(f"go_back + stay_behind + leave must sum to 1, got {total}")
        return self


class MigrationConfig(Strict):
    """Family migration: a multinomial logit each year (DESIGN §5 step 3; docs/model.md).

    Alternatives: stay; move to the county town with the children (随迁, 陪读); move with the
    children to the township seat (进镇; families there may later move on to the county town or
    back); parents leave for work and the children stay (留守); the whole family leaves the
    county; return home.
    Constants are per-year utilities relative to staying (0). Defaults are assumptions set so
    the default county shows about 1-2% of rural families moving to town a year and a
    left-behind share near 2011's (22.0m left-behind vs 12.6m migrant children, facts.md).
    """

    enabled: Bool = Field(
        True, description="Families migrate. False: everybody stays where they are."
    )
    town_constant: Utility = Field(
        -4.0, description="Utility of moving to the county town with the children."
    )
    town_pull_growth_per_year: Float = Field(
        0.0,
        ge=-1,
        le=1,
        description="Added to town_constant each simulated year (urbanisation trend).",
    )
    beta_quality_gap: Utility = Field(
        4.0,
        description="Per unit of quality gap between the best county-town school (for a move to "
        "a township seat: the best school of that seat) and the child's school.",
    )
    beta_transition: Utility = Field(
        1.0,
        description="A child about to enter grade 1 or grade 7 (families move at school "
        "transitions).",
    )
    beta_school_closed: Utility = Field(
        1.5, description="The child's school just closed or stopped teaching the child's grade."
    )
    beta_income: Utility = Field(
        0.8,
        description="Per unit of log income over the rural median (richer families move to town).",
    )
    housing_cost_yuan: Yuan = Field(
        8_000.0,
        description="Yearly cost of housing in the county town in the start year (yuan; "
        "assumption); later years follow housing_cost_index.",
    )
    housing_cost_index: dict[Year, Factor] = Field(
        default_factory=lambda: {2024: 1.0},
        min_length=1,
        description="Relative housing cost by calendar year (any scale; interpolated, held "
        "outside its years); housing costs are the start-year costs times index(year) / "
        "index(start year). One entry (default): flat in yuan. Rationale: no sourced series of "
        "county-town rents is in facts.md; a flat cost lets the housing burden fall as incomes "
        "grow, so a rising path is the test of that easing.",
    )
    seat_constant: Utility = Field(
        -4.5,
        description="Utility of moving with the children to the family's township seat (进镇). "
        "Assumption: a smaller step than the county town (nearer, no points check), below "
        "town_constant because seat schools gain less; 镇区 held 42% of compulsory pupils in "
        "2016 (facts.md), a validation figure, not fitted.",
    )
    seat_pull_growth_per_year: Float = Field(
        0.0,
        ge=-1,
        le=1,
        description="Added to seat_constant each simulated year (township urbanisation trend; "
        "assumption: none by default).",
    )
    seat_housing_cost_yuan: Yuan = Field(
        3_000.0,
        description="Yearly cost of housing in a township seat in the start year (yuan; follows "
        "housing_cost_index). Assumption: well under the county town's, since seat families "
        "often rent or build near relatives.",
    )
    household_size: Float = Field(
        3.0,
        gt=0,
        le=MAX_HOUSEHOLD,
        description="Persons per household, turning per-capita income into household income.",
    )
    beta_housing: Weight = Field(2.0, description="Per unit of housing cost over household income.")
    beta_hukou: Weight = Field(
        2.0,
        description="Utility lost per unit of the hukou barrier by rural-hukou families choosing "
        "town.",
    )
    away_constant: Utility = Field(
        -3.5, description="Utility of parents leaving for work while the children stay (留守)."
    )
    beta_income_away: Utility = Field(
        -0.8,
        description="Per unit of log income over the rural median (poorer families leave for "
        "work).",
    )
    leave_constant: Utility = Field(
        -5.0, description="Utility of the whole family leaving the county."
    )
    return_constant: Utility = Field(
        -3.5, description="Utility of returning home (from town, or parents coming back)."
    )
    beta_years_in_town: Weight = Field(
        0.3, description="Return utility lost per year already spent in town."
    )
    initial_parents_away_share: Float = Field(
        0.25,
        ge=0,
        le=1,
        description="Share of rural families whose parents are away at the start (left-behind "
        "children: 22.0m in 2011 against about 90m rural pupils; facts.md).",
    )
    refused_response: RefusedResponse = Field(
        default_factory=RefusedResponse,
        description="What a family in town does when its child is refused by every county-town "
        "school.",
    )


class AdmissionConfig(Strict):
    """Who may enrol in county-town schools."""

    hukou_barrier: Float = Field(
        0.1,
        ge=0,
        le=1,
        description="Chance that a rural-hukou child applying to county-town schools fails the "
        "points/hukou check. Nationally 79.7% of migrant children were in public schools in 2017 "
        "(facts.md), mostly in cities; a county town admits its own county's rural children more "
        "readily (assumption: half the national refusal share).",
    )


class Scenario(Strict):
    """A complete, validated edusim scenario."""

    name: str = Field(
        "default",
        description="Short name of the scenario; it names the output folder "
        "(outputs/<name>-seed<seed>), so it is a slug: letters a-z and A-Z, digits, '_', '-' and "
        "'.', "
        f"starting with a letter, digit or '_', at most {MAX_NAME_LENGTH} characters.",
        json_schema_extra={"pattern": f"^{NAME_PATTERN.pattern}$", "maxLength": MAX_NAME_LENGTH},
    )
    description: str = Field(
        "The embedded default: a mid-size central/western county with no new policy.",
        description="One-line description (shown by `edusim scenarios`), then any detail.",
    )
    start_year: Int = Field(
        2024, ge=1990, le=2100, description="Calendar year of the first school year."
    )
    years: Int = Field(15, ge=1, le=100, description="School years to simulate.")
    seed: Seed = Field(0, description="Root random seed.")
    county: CountyConfig = Field(default_factory=CountyConfig)
    families: FamiliesConfig = Field(default_factory=FamiliesConfig)
    demography: DemographyConfig = Field(default_factory=DemographyConfig)
    roads: RoadsConfig = Field(default_factory=RoadsConfig)
    schools: SchoolsConfig = Field(default_factory=SchoolsConfig)
    teachers: TeachersConfig = Field(default_factory=TeachersConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)
    choice: ChoiceConfig = Field(default_factory=ChoiceConfig)
    boarding: BoardingConfig = Field(default_factory=BoardingConfig)
    hollow: HollowConfig = Field(default_factory=HollowConfig)
    access: AccessConfig = Field(default_factory=AccessConfig)
    migration: MigrationConfig = Field(default_factory=MigrationConfig)
    admission: AdmissionConfig = Field(default_factory=AdmissionConfig)
    policies: PoliciesConfig = Field(
        default_factory=PoliciesConfig,
        description="Policies in force (docs/policies.md); a block left out is a policy not "
        "applied.",
    )
    costs: CostsConfig = Field(default_factory=CostsConfig)

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if len(name) > MAX_NAME_LENGTH or NAME_PATTERN.fullmatch(name) is None:
            raise PydanticCustomError(
                "scenario_name",
                "a scenario name names its output folder, so it may hold only letters a-z and A-Z, "
                "digits, '_', '-' and '.', must start with a letter, digit or '_' and have 1 to "
                "{limit} characters (e.g. 'baseline_2030')",
                {"limit": MAX_NAME_LENGTH},
            )
        return name

    @model_validator(mode="after")
    def _plan_in_the_run(self) -> "Scenario":
        """Check that a consolidation plan's entries act in the run: none before ``start_year``."""
        block = self.policies.consolidation
        for i, entry in enumerate(block.plan if block is not None else []):
            if entry.year < self.start_year:
                raise ValueError(
                    f"policies.consolidation.plan[{i}].year = {entry.year}: a plan entry must "
                    f"not be before the scenario's start_year {self.start_year}"
                )
            receiving = getattr(entry, "receiving", None)
            if receiving is not None and receiving == getattr(entry, "school", None):
                raise ValueError(
                    f"policies.consolidation.plan[{i}].receiving = {receiving!r}: a school "
                    "cannot receive its own pupils"
                )
        return self
