"""The ``tp:`` vocabulary as a closed namespace: a typo in a term name fails at once."""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

TP_IRI = "https://w3id.org/team-pursuit/ontology#"
DEFAULT_BASE = "https://w3id.org/team-pursuit/id/"


class TP(DefinedNamespace):
    """Terms declared in ontology/tp.ttl; a test keeps the two equal."""

    _NS = Namespace(TP_IRI)
    _fail = True

    Article: URIRef
    Athlete: URIRef
    Bronze: URIRef
    Claim: URIRef
    Competition: URIRef
    Discipline: URIRef
    Event: URIRef
    Final: URIRef
    FirstRound: URIRef
    GenderCategory: URIRef
    Gold: URIRef
    Innovation: URIRef
    MedalAward: URIRef
    MedalType: URIRef
    Men: URIRef
    Milestone: URIRef
    MissingValue: URIRef
    Mixed: URIRef
    NOC: URIRef
    OlympicGames: URIRef
    OlympicRecord: URIRef
    Person: URIRef
    Placing: URIRef
    Qualifying: URIRef
    Quarterfinal: URIRef
    Race: URIRef
    Record: URIRef
    RecordType: URIRef
    Result: URIRef
    Round: URIRef
    RoundKind: URIRef
    Semifinal: URIRef
    Silver: URIRef
    Sport: URIRef
    TeamEntry: URIRef
    Technique: URIRef
    TrackRecord: URIRef
    Venue: URIRef
    Women: URIRef
    WorldRecord: URIRef
    achievedBy: URIRef
    after: URIRef
    appearance: URIRef
    asMemberOf: URIRef
    associatedNOC: URIRef
    athlete: URIRef
    awardedTo: URIRef
    city: URIRef
    code: URIRef
    comparedTo: URIRef
    competition: URIRef
    competitionDay: URIRef
    country: URIRef
    datesText: URIRef
    debutDate: URIRef
    debutedBy: URIRef
    defendingChampion: URIRef
    deficit: URIRef
    deficitText: URIRef
    description: URIRef
    discipline: URIRef
    disciplineOf: URIRef
    distanceMetres: URIRef
    endDate: URIRef
    entryIn: URIRef
    eventName: URIRef
    finalRank: URIRef
    finishTime: URIRef
    forEvent: URIRef
    formatRule: URIRef
    formerDiscipline: URIRef
    genderCategory: URIRef
    holder: URIRef
    hostCity: URIRef
    hostCountry: URIRef
    inRace: URIRef
    inRound: URIRef
    iocCode: URIRef
    laps: URIRef
    localDate: URIRef
    maxTeamsPerNOC: URIRef
    medalRank: URIRef
    medalType: URIRef
    member: URIRef
    missing: URIRef
    missingProperty: URIRef
    namedCompetitorCount: URIRef
    nextEdition: URIRef
    noc: URIRef
    note: URIRef
    notesText: URIRef
    ordinal: URIRef
    partOfGames: URIRef
    placingMember: URIRef
    placingRank: URIRef
    previousEdition: URIRef
    qualificationRule: URIRef
    qualificationText: URIRef
    qualifiedFor: URIRef
    raceLabel: URIRef
    raceOrder: URIRef
    raceRank: URIRef
    reason: URIRef
    recordDate: URIRef
    recordTime: URIRef
    recordType: URIRef
    replaces: URIRef
    roundKind: URIRef
    roundOf: URIRef
    roundOrder: URIRef
    roundRank: URIRef
    roundText: URIRef
    season: URIRef
    setBy: URIRef
    setByAthlete: URIRef
    setIn: URIRef
    sourceFile: URIRef
    sourceKind: URIRef
    sourceLine: URIRef
    sourceText: URIRef
    sport: URIRef
    startDate: URIRef
    startSide: URIRef
    startTime: URIRef
    statedCompetitorCount: URIRef
    statedNationCount: URIRef
    statedTeamCount: URIRef
    supersedes: URIRef
    team: URIRef
    teamSize: URIRef
    timeText: URIRef
    timeZoneName: URIRef
    timingRule: URIRef
    tippedToChallenge: URIRef
    usedBy: URIRef
    utcOffset: URIRef
    venue: URIRef
    venueText: URIRef
    winningTime: URIRef
    winningTimeRecord: URIRef
    winningTimeText: URIRef
    year: URIRef


# Prefixes that curated data and mapping rules may use, as plain IRI strings.
PREFIXES = {
    "tp": TP_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}
RDF_TYPE = PREFIXES["rdf"] + "type"
