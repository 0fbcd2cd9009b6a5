"""The scenario: every parameter of a run, validated once at load (pydantic, ``extra="forbid"``).

Defaults describe a plausible mid-size county in central/western China: about 200,000
residents, 12 townships, 150 villages and 20,000 pupils in grades 1-9. Each field's
description says its unit and where the default comes from; "facts.md" is
``shared/data/facts.md`` and names its own sources (MoE bulletins, NBS, REAP, 教督〔2017〕6号).
Defaults marked *assumption* are to be calibrated (see ``calibration/``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.policy_schema import PoliciesConfig
from sim.scenario.schema_base import Strict

LEVELS = ("teaching_point", "primary", "junior", "nine_year")
TIERS = ("village", "township", "county_town")
SETTLEMENT_KINDS = ("county_town", "town", "village")
TERRAINS = ("plain", "hill", "mountain")
ROAD_CLASSES = ("county", "township", "village")

# NBS births in millions (facts.md, "Demography"). Years between entries are interpolated.
NBS_BIRTHS_MILLIONS: dict[int, float] = {
    2000: 17.71, 2005: 16.17, 2010: 15.92, 2012: 16.35, 2014: 16.87, 2015: 16.55,
    2016: 17.86, 2017: 17.23, 2018: 15.23, 2019: 14.65, 2020: 12.02, 2021: 10.62,
    2022: 9.56, 2023: 9.02, 2024: 9.54,
}


class PerStage(Strict):
    """A value for each stage of compulsory schooling: primary (grades 1-6), junior (7-9)."""

    primary: float = Field(ge=0)
    junior: float = Field(ge=0)


class PerStageSigned(Strict):
    """A value, possibly negative, for primary (grades 1-6) and junior (7-9)."""

    primary: float
    junior: float


class PerLevel(Strict):
    """A value for each school level."""

    teaching_point: float = Field(ge=0)
    primary: float = Field(ge=0)
    junior: float = Field(ge=0)
    nine_year: float = Field(ge=0)


class CountyConfig(Strict):
    """The county: generated synthetically, or read from a directory of CSV files."""

    file: str | None = Field(
        None,
        description="Directory with settlements.csv, schools.csv and optional roads.csv for a "
        "real county (relative paths are taken from the scenario file's folder). Empty: "
        "generate a synthetic county from the fields below.",
    )
    residents: int = Field(
        200_000, gt=0, description="Residents (persons). Mid-size county of central/western China."
    )
    townships: int = Field(12, ge=1, le=200, description="Townships (乡镇), each with a seat town.")
    villages: int = Field(150, ge=0, le=5000, description="Administrative villages outside the seats.")
    area_km2: float = Field(2_000.0, gt=0, description="Land area (km²); settlements are placed in a square of this area.")
    terrain: Literal["plain", "hill", "mountain"] = Field(
        "hill", description="Terrain class: sets road detour and speed (see `roads`)."
    )
    county_town_share: float = Field(
        0.35, gt=0, lt=1,
        description="Share of residents living in the county town (县城). Assumption: county-level "
        "urbanisation below the national 67% of 2024 (facts.md), about half of it in the county town.",
    )
    township_seat_share: float = Field(
        0.15, ge=0, lt=1, description="Share of residents living in township seats together (assumption)."
    )
    urban_hukou_share_county_town: float = Field(
        0.5, ge=0, le=1, description="Share of county-town families with urban hukou (assumption)."
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> "CountyConfig":
        if self.county_town_share + self.township_seat_share >= 1:
            raise ValueError(
                "county_town_share + township_seat_share must be below 1 (villages need residents), "
                f"got {self.county_town_share} + {self.township_seat_share}"
            )
        return self


class FamiliesConfig(Strict):
    """Families with children: size and income."""

    children_per_family: list[float] = Field(
        [0.5, 0.4, 0.1],
        description="Probabilities of 1, 2, 3, ... children per family (assumption; two-child "
        "policy era).",
    )
    income_median_rural_yuan: float = Field(
        20_000.0, gt=0,
        description="Median per-capita disposable income of rural-hukou families (yuan/yr). NBS 2024 "
        "national rural figure is 23,119; central/western counties are lower.",
    )
    income_median_urban_yuan: float = Field(
        42_000.0, gt=0,
        description="Median per-capita disposable income of urban-hukou families (yuan/yr). NBS 2024 "
        "national urban figure is 54,188; county towns are lower.",
    )
    income_sigma: float = Field(0.6, gt=0, le=3, description="Log-sd of income (lognormal).")

    @model_validator(mode="after")
    def _probabilities(self) -> "FamiliesConfig":
        p = self.children_per_family
        if not p or any(x < 0 for x in p) or abs(sum(p) - 1) > 1e-6:
            raise ValueError(f"children_per_family must be non-negative and sum to 1, got {p}")
        return self


class DemographyConfig(Strict):
    """Births and the age structure."""

    birth_rate_per_1000: float = Field(
        7.0, gt=0, le=40,
        description="Births per 1,000 residents in the start year. National 2024: 9.54m births "
        "(facts.md, NBS) over 1.408bn residents = 6.8; a rural county slightly above.",
    )
    births_index: dict[int, float] = Field(
        default_factory=lambda: dict(NBS_BIRTHS_MILLIONS),
        description="Relative birth numbers by calendar year (any scale; default NBS births, "
        "millions, facts.md). Cohorts born before the start year, and births after it, follow this "
        "index relative to the start year; years between entries are interpolated.",
    )
    births_trend_per_year: float = Field(
        -0.02, ge=-0.5, le=0.5,
        description="Yearly relative change of births after the last year of births_index "
        "(assumption: the decline continues slowly).",
    )
    resident_cohort_share: float = Field(
        0.9, gt=0, le=1,
        description="Share of each earlier birth cohort still living in the county at the start "
        "(others already left with migrant parents). Assumption, set so the default county has "
        "about 20,000 pupils.",
    )
    school_entry_age: int = Field(6, ge=5, le=8, description="Age at entry to grade 1 (years).")
    repetition_rate: float = Field(0.0, ge=0, le=0.5, description="Share of pupils repeating a grade each year.")


class RoadsConfig(Strict):
    """Road network and travel modes."""

    walk_speed_kmh: float = Field(4.0, gt=0, le=10, description="Walking speed of a pupil (km/h).")
    walk_max_km: float = Field(
        2.0, ge=0, le=10,
        description="Pupils walk when the school is closer than this (km), else ride. About "
        "30 minutes' walk, the norm for young pupils (facts.md).",
    )
    ride_speed_kmh: dict[Literal["county", "township", "village"], float] = Field(
        default_factory=lambda: {"county": 40.0, "township": 30.0, "village": 20.0},
        description="Riding speed (km/h) by road class on plain terrain (motorbike, e-bike, "
        "parents' car; assumption).",
    )
    terrain_speed_factor: dict[Literal["plain", "hill", "mountain"], float] = Field(
        default_factory=lambda: {"plain": 1.0, "hill": 0.8, "mountain": 0.6},
        description="Multiplier on riding speed by terrain (assumption).",
    )
    terrain_detour_factor: dict[Literal["plain", "hill", "mountain"], float] = Field(
        default_factory=lambda: {"plain": 1.2, "hill": 1.4, "mountain": 1.8},
        description="Road length over straight-line distance by terrain (assumption).",
    )
    local_minutes: dict[Literal["county_town", "town", "village"], float] = Field(
        default_factory=lambda: {"county_town": 15.0, "town": 10.0, "village": 8.0},
        description="Commute to a school in one's own settlement (minutes; assumption).",
    )
    ride_access_minutes: float = Field(
        5.0, ge=0, description="Fixed time added to every ride (getting ready, parking; minutes)."
    )


class SchoolsConfig(Strict):
    """Initial school layout and class sizes."""

    class_cap: PerStage = Field(
        default_factory=lambda: PerStage(primary=45, junior=50),
        description="Standard class size caps (pupils): 45 primary, 50 junior (facts.md).",
    )
    max_class_size: int = Field(
        65, ge=1, le=120,
        description="Hard maximum pupils per class: seats per grade = classrooms of that grade x "
        "this. 65 tolerates 大班额 (56-65) but not 超大班额 (66+) (facts.md class-size bands).",
    )
    multigrade_max: int = Field(
        25, ge=1, le=60,
        description="Adjacent small grades are taught together (复式班) while their combined "
        "pupils stay within this number (assumption).",
    )
    village_school_min_population: int = Field(
        1_000, ge=0,
        description="Synthetic county: villages with at least this many residents have a "
        "primary school (assumption).",
    )
    teaching_point_min_population: int = Field(
        500, ge=0,
        description="Synthetic county: smaller villages with at least this many residents have "
        "a teaching point (教学点); smaller still have none.",
    )
    teaching_point_top_grade: int = Field(
        3, ge=1, le=6, description="Teaching points serve grades 1 to this grade (default 1-3)."
    )
    nine_year_share: float = Field(
        0.3, ge=0, le=1,
        description="Synthetic county: share of township seats whose junior school is a "
        "nine-year school (九年一贯制) instead of a separate primary and junior (assumption).",
    )
    county_town_school_size: PerStage = Field(
        default_factory=lambda: PerStage(primary=1500, junior=2000),
        description="Synthetic county: pupils per county-town school, sets how many there are "
        "(size caps of new schools in plans, facts.md).",
    )
    capacity_slack: float = Field(
        1.15, ge=0.5, le=3,
        description="Synthetic county: classrooms per grade = ceil(expected pupils x slack / class cap); "
        "below 1, the county starts short of classrooms.",
    )
    boarding_share: PerStage = Field(
        default_factory=lambda: PerStage(primary=0.12, junior=0.47),
        description="Synthetic county: beds in township and county-town schools as a share of "
        "their expected pupils (boarders ≈11-12% primary, ≈47% junior; facts.md).",
    )


class TeachersConfig(Strict):
    """Teacher staffing, careers and quality inputs."""

    pupil_teacher_ratio: PerStage = Field(
        default_factory=lambda: PerStage(primary=19, junior=13.5),
        description="Staffing standard, pupils per teacher: 19 primary, 13.5 junior (2014 unified "
        "standard, facts.md).",
    )
    class_teacher_ratio: PerStage = Field(
        default_factory=lambda: PerStage(primary=1.7, junior=3.0),
        description="Teachers per class (班师比) used for small schools: need = max(ceil(pupils/PTR), "
        "ceil(classes x CTR)). Assumption from provincial small-school norms.",
    )
    initial_staffing: float = Field(1.0, gt=0, le=2, description="Teachers at start as a share of need.")
    quota_factor: float = Field(
        1.05, gt=0, le=3,
        description="County post quota (编制) as a multiple of the initial staffing need; hires stop at it.",
    )
    retirement_age: int = Field(60, ge=50, le=70, description="Teachers retire at this age (years).")
    age_mean: float = Field(41.0, ge=22, le=60, description="Mean teacher age at start (years; assumption).")
    age_sd: float = Field(9.0, gt=0, le=20, description="Sd of teacher age at start (years).")
    hire_age: float = Field(24.0, ge=20, le=40, description="Age of new hires (years).")
    attrition_rate: float = Field(
        0.03, ge=0, le=0.5, description="Yearly chance a teacher in a county-town school quits (assumption)."
    )
    rural_attrition_extra: PerStage = Field(
        default_factory=lambda: PerStage(primary=0.04, junior=0.03),
        description="Added yearly quit chance in village and township schools (attrition 5-10% a "
        "year, facts.md, low confidence).",
    )
    attrition_remote_per_hour: float = Field(
        0.02, ge=0, le=1, description="Added yearly quit chance per hour of travel from the county town."
    )
    attrition_small_school: float = Field(
        0.03, ge=0, le=1, description="Added yearly quit chance in a school with fewer than small_school_pupils."
    )
    small_school_pupils: int = Field(100, ge=0, description="Small-scale school: under 100 pupils (facts.md).")
    attrition_low_quality: float = Field(
        0.05, ge=0, le=1, description="Added yearly quit chance at quality 0, falling linearly to 0 at quality 0.7."
    )
    refusal_remote_per_hour: float = Field(
        0.3, ge=0, le=1,
        description="Chance a new hire refuses a village or township post, per hour of travel from the county town.",
    )
    hire_share_of_vacancies: float = Field(
        0.8, ge=0, le=1, description="Share of vacancies the county fills each year."
    )
    skill_mean: float = Field(0.5, ge=0, le=1, description="Mean teacher skill at start (0-1 scale).")
    skill_sd: float = Field(0.15, ge=0, le=0.5, description="Sd of teacher skill.")
    skill_gap_town_village: float = Field(
        0.1, ge=0, le=0.5,
        description="Mean skill of county-town teachers above village teachers at start (township "
        "teachers halfway). Assumption: rural teachers are less qualified.",
    )
    skill_gain_per_year: float = Field(0.01, ge=0, le=0.1, description="Skill gained per year of experience.")
    backbone_share: float = Field(0.1, ge=0, le=1, description="Share of teachers who are backbone (骨干) teachers.")


class QualityConfig(Strict):
    """School quality Q in [0, 1] and how it moves."""

    weight_skill: float = Field(0.4, ge=0, description="Weight of mean teacher skill.")
    weight_staffing: float = Field(0.3, ge=0, description="Weight of teachers over staffing need (capped at 1).")
    weight_coverage: float = Field(
        0.2, ge=0,
        description="Weight of subject coverage (开齐开足): teachers over subject teachers needed.",
    )
    weight_class_size: float = Field(0.1, ge=0, description="Weight of class size within the cap.")
    subject_teachers: PerStage = Field(
        default_factory=lambda: PerStage(primary=6, junior=9),
        description="Teachers a school needs to teach every subject (assumption).",
    )
    adjustment_rate: float = Field(
        0.5, gt=0, le=1, description="Share of the gap to the target quality closed each year."
    )


class ChoiceConfig(Strict):
    """School choice: a random-utility model and deferred acceptance."""

    candidates: int = Field(6, ge=1, le=30, description="Nearest schools of the right level each pupil considers (K).")
    include_county_town: bool = Field(True, description="Also consider every county-town school of the right level.")
    beta_quality: float = Field(3.0, ge=0, description="Utility per unit of school quality (Q in 0-1). Assumption.")
    beta_time: float = Field(0.06, ge=0, description="Disutility per minute of daily commute. Assumption.")
    beta_boarding: PerStage = Field(
        default_factory=lambda: PerStage(primary=1.5, junior=0.5),
        description="Disutility of boarding (heavier for primary pupils; REAP evidence, facts.md).",
    )
    beta_fee: float = Field(0.0005, ge=0, description="Disutility per yuan a year of fees and boarding costs.")
    beta_stay: float = Field(2.0, ge=0, description="Utility of staying in the current school (switching cost).")
    beta_sibling: float = Field(0.5, ge=0, description="Utility of a sibling at the school.")
    voluntary_switch_share: float = Field(
        0.02, ge=0, le=1, description="Share of other pupils who reconsider their school each year."
    )
    dropout_utility: PerStageSigned = Field(
        default_factory=lambda: PerStageSigned(primary=-4.8, junior=-4.6),
        description="Utility of the outside option (dropping out) before its terms; junior pupils "
        "drop out far more (primary dropout 0.39-0.51%/yr, facts.md). Assumption to calibrate.",
    )
    dropout_per_grade: float = Field(0.2, ge=0, description="Outside-option utility added per grade above 1.")


class BoardingConfig(Strict):
    """Who may and who must board."""

    min_grade: int = Field(
        4, ge=1, le=9,
        description="Lowest grade that may board: grades 1-3 do not board (2012 and 2018 rules, facts.md).",
    )
    threshold_min: float = Field(
        40.0, ge=0,
        description="A pupil boards at a school with beds when the commute exceeds this (minutes; "
        "commute norm ≈ 40 min, facts.md).",
    )
    max_commute_min: PerStage = Field(
        default_factory=lambda: PerStage(primary=60.0, junior=90.0),
        description="Longest daily commute a family accepts (minutes); beyond it a school needs a bed (assumption).",
    )
    fee_yuan: float = Field(
        1_157.0, ge=0, description="Cost of boarding to a family (yuan/yr; ≈2012 survey, facts.md)."
    )


class HollowConfig(Strict):
    """When a school counts as hollow (空心校)."""

    max_utilisation: float = Field(
        1 / 3, ge=0, le=1,
        description="Open school with pupils / (classrooms x class cap) below this is hollow.",
    )
    min_pupils: PerLevel = Field(
        default_factory=lambda: PerLevel(teaching_point=5, primary=20, junior=100, nine_year=100),
        description="Open school with fewer pupils than this is hollow (Gansu had 853 schools with "
        "≤5 pupils, facts.md; the others are assumptions).",
    )
    recent_investment_years: int = Field(
        5, ge=0, le=30, description="A hollow school built or expanded this recently is a *new* hollow school."
    )


class CostsConfig(Strict):
    """Yearly costs to the county (yuan)."""

    teacher_salary_yuan: float = Field(
        90_000.0, ge=0, description="Yearly cost of one teacher with benefits (yuan; assumption)."
    )
    per_pupil_yuan: PerStage = Field(
        default_factory=lambda: PerStage(primary=650, junior=850),
        description="Per-pupil operating funds (yuan/yr; 2021 national standard, facts.md).",
    )
    per_school_yuan: float = Field(
        19_000.0, ge=0, description="Fixed yearly cost per open school (Gansu small-school funding, facts.md)."
    )
    per_class_yuan: float = Field(5_000.0, ge=0, description="Yearly cost per class taught (assumption).")
    per_boarder_yuan: float = Field(
        600.0, ge=0, description="County cost per boarder (yuan/yr; ≈60 yuan/month allowance, facts.md)."
    )


class AccessConfig(Strict):
    """What counts as hard access to school (上学难) in the metrics."""

    commute_limit_min: PerStage = Field(
        default_factory=lambda: PerStage(primary=40.0, junior=60.0),
        description="A day pupil commuting longer than this has hard access (minutes; primary "
        "commute norm ≈ 40 min, facts.md; junior an assumption).",
    )
    young_grade_max: int = Field(
        3, ge=0, le=9,
        description="Boarders in this grade or below are young boarders (grades 1-3 should not "
        "board: 2012 and 2018 rules, facts.md).",
    )


class RefusedResponse(Strict):
    """What a family in town does when its child is refused by every county-town school."""

    go_back: float = Field(0.3, ge=0, le=1, description="The whole family returns home.")
    stay_behind: float = Field(0.5, ge=0, le=1, description="The child goes back to the home village; parents stay away (留守).")
    leave: float = Field(0.2, ge=0, le=1, description="The family leaves the county.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> "RefusedResponse":
        total = self.go_back + self.stay_behind + self.leave
        if abs(total - 1) > 1e-6:
            raise ValueError(f"go_back + stay_behind + leave must sum to 1, got {total}")
        return self


class MigrationConfig(Strict):
    """Family migration: a multinomial logit each year (DESIGN §5 step 3; docs/model.md).

    Alternatives: stay; move to the county town with the children (随迁, 陪读); parents leave
    for work and the children stay (留守); the whole family leaves the county; return home.
    Constants are per-year utilities relative to staying (0). Defaults are assumptions set so
    the default county shows about 1-2% of rural families moving to town a year and a
    left-behind share near 2011's (22.0m left-behind vs 12.6m migrant children, facts.md).
    """

    enabled: bool = Field(True, description="Families migrate. False: everybody stays where they are.")
    town_constant: float = Field(-4.0, description="Utility of moving to the county town with the children.")
    town_pull_growth_per_year: float = Field(
        0.0, ge=-1, le=1,
        description="Added to town_constant each simulated year (urbanisation trend).",
    )
    beta_quality_gap: float = Field(
        4.0, description="Per unit of quality gap between the best county-town school and the child's school."
    )
    beta_transition: float = Field(
        1.0, description="A child about to enter grade 1 or grade 7 (families move at school transitions)."
    )
    beta_school_closed: float = Field(
        1.5, description="The child's school just closed or stopped teaching the child's grade."
    )
    beta_income: float = Field(0.8, description="Per unit of log income over the rural median (richer families move to town).")
    housing_cost_yuan: float = Field(
        8_000.0, ge=0, description="Yearly cost of housing in the county town (yuan; assumption)."
    )
    household_size: float = Field(3.0, gt=0, description="Persons per household, turning per-capita income into household income.")
    beta_housing: float = Field(2.0, ge=0, description="Per unit of housing cost over household income.")
    beta_hukou: float = Field(
        2.0, ge=0, description="Utility lost per unit of the hukou barrier by rural-hukou families choosing town."
    )
    away_constant: float = Field(-3.5, description="Utility of parents leaving for work while the children stay (留守).")
    beta_income_away: float = Field(-0.8, description="Per unit of log income over the rural median (poorer families leave for work).")
    leave_constant: float = Field(-5.0, description="Utility of the whole family leaving the county.")
    return_constant: float = Field(-3.5, description="Utility of returning home (from town, or parents coming back).")
    beta_years_in_town: float = Field(0.3, ge=0, description="Return utility lost per year already spent in town.")
    initial_parents_away_share: float = Field(
        0.25, ge=0, le=1,
        description="Share of rural families whose parents are away at the start (left-behind children: "
        "22.0m in 2011 against about 90m rural pupils; facts.md).",
    )
    refused_response: RefusedResponse = Field(
        default_factory=RefusedResponse,
        description="What a family in town does when its child is refused by every county-town school.")


class AdmissionConfig(Strict):
    """Who may enrol in county-town schools."""

    hukou_barrier: float = Field(
        0.1, ge=0, le=1,
        description="Chance that a rural-hukou child applying to county-town schools fails the points/"
        "hukou check. Nationally 79.7% of migrant children were in public schools in 2017 (facts.md), "
        "mostly in cities; a county town admits its own county's rural children more readily "
        "(assumption: half the national refusal share).",
    )


class Scenario(Strict):
    """A complete, validated edusim scenario."""

    name: str = Field("default", description="Short name of the scenario.")
    description: str = Field(
        "The embedded default: a mid-size central/western county with no new policy.",
        description="One-line description (shown by `edusim scenarios`), then any detail.",
    )
    start_year: int = Field(2024, ge=1990, le=2100, description="Calendar year of the first school year.")
    years: int = Field(15, ge=1, le=100, description="School years to simulate.")
    seed: int = Field(0, ge=0, description="Root random seed.")
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
        description="Policies in force (docs/policies.md); a block left out is a policy not applied.")
    costs: CostsConfig = Field(default_factory=CostsConfig)

    @model_validator(mode="after")
    def _plan_in_the_run(self) -> "Scenario":
        """A consolidation plan's entries act in the run: none before ``start_year``."""
        block = self.policies.consolidation
        for i, entry in enumerate(block.plan if block is not None else []):
            if entry.year < self.start_year:
                raise ValueError(
                    f"policies.consolidation.plan[{i}].year = {entry.year}: a plan entry must not be before the "
                    f"scenario's start_year {self.start_year}"
                )
            receiving = getattr(entry, "receiving", None)
            if receiving is not None and receiving == getattr(entry, "school", None):
                raise ValueError(
                    f"policies.consolidation.plan[{i}].receiving = {receiving!r}: a school cannot receive its own pupils"
                )
        return self
