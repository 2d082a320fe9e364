package graph

import "slices"

// Label is the type of a node. Every node has exactly one.
type Label string

// The node labels of the domain model.
const (
	Network        Label = "Network"
	Organization   Label = "Organization"
	Service        Label = "Service"
	Memorandum     Label = "Memorandum"
	GovernanceBody Label = "GovernanceBody"
	Territory      Label = "Territory"
	Action         Label = "Action"
	Indicator      Label = "Indicator"
	Measurement    Label = "Measurement"
	Person         Label = "Person"
)

// Labels lists every label, in a stable order.
var Labels = []Label{Network, Organization, Service, Memorandum, GovernanceBody, Territory, Action, Indicator, Measurement, Person}

// RelType is the type of a relationship.
type RelType string

// The relationship types of the domain model. Direction matters: see Rels.
const (
	PartnerIn      RelType = "PARTNER_IN"
	Provides       RelType = "PROVIDES"
	RefersTo       RelType = "REFERS_TO"
	DeliveredIn    RelType = "DELIVERED_IN"
	PartOf         RelType = "PART_OF"
	BasedIn        RelType = "BASED_IN"
	OperatesIn     RelType = "OPERATES_IN"
	Signed         RelType = "SIGNED"
	Covers         RelType = "COVERS"
	SitsOn         RelType = "SITS_ON"
	Coordinates    RelType = "COORDINATES"
	ReportsTo      RelType = "REPORTS_TO"
	ResponsibleFor RelType = "RESPONSIBLE_FOR"
	ContributesTo  RelType = "CONTRIBUTES_TO"
	DependsOn      RelType = "DEPENDS_ON"
	Tracks         RelType = "TRACKS"
	HoldsRole      RelType = "HOLDS_ROLE"
	HasMeasurement RelType = "HAS_MEASUREMENT"
)

// Kind is the value type of a property.
type Kind int

// Property value kinds. Values are held in these Go types: String, Date and
// Enum as string, Int as int64, Float as float64, Bool as bool, StringList as []string.
const (
	String Kind = iota
	Date        // calendar date, YYYY-MM-DD
	Enum        // one of Prop.Values
	Int
	Float
	Bool
	StringList
)

// Prop describes one property of a node or relationship.
type Prop struct {
	Name     string
	Kind     Kind
	Required bool
	Values   []string // allowed values of an Enum
	MaxLen   int      // for strings and list items; 0 means DefaultMaxLen
	Min, Max *float64 // bounds of numbers, when set
	Personal bool     // personal data: only authorised callers may read it
}

// DefaultMaxLen bounds every string property that does not set its own limit.
const DefaultMaxLen = 2000

// NodeType describes a label: its properties, the property lists sort on,
// and the properties free-text search looks at.
type NodeType struct {
	Label   Label
	Props   []Prop
	SortBy  string   // the property lists are ordered by (then by id)
	Search  []string // properties matched by free-text search
	IDScope string   // prefix of generated ids
}

// Prop returns the named property and whether the label has it.
func (t *NodeType) Prop(name string) (Prop, bool) {
	for _, p := range t.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

// RelEnd is one allowed (from label, to label) pair of a relationship type.
type RelEnd struct{ From, To Label }

// RelSpec describes a relationship type: which labels it joins and its properties.
type RelSpec struct {
	Type  RelType
	Ends  []RelEnd
	Props []Prop
}

// Allows reports whether the relationship may join a from node to a to node.
func (r *RelSpec) Allows(from, to Label) bool {
	return slices.Contains(r.Ends, RelEnd{from, to})
}

// Prop returns the named property of the relationship and whether it has it.
func (r *RelSpec) Prop(name string) (Prop, bool) {
	for _, p := range r.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

// Enumerations shared by the model.
var (
	OrganizationKinds = []string{"PUBLIC_INSTITUTION", "THIRD_SECTOR", "PROFESSIONAL_BODY", "ASSOCIATION", "FOREIGN_PARTNER", "UNIVERSITY", "FUNDER", "PRIVATE_COMPANY", "OTHER"}
	GovernanceLevels  = []string{"EU", "NATIONAL", "REGIONAL", "PROVINCIAL", "LOCAL"}
	ServiceCategories = []string{"SOCIAL", "HEALTH", "LABOUR", "EDUCATION", "TRAINING", "HOUSING", "MEDIATION", "LEGAL", "ACCESS_POINT", "COMMUNICATION", "OTHER"}
	MemorandumKinds   = []string{"MEMORANDUM_OF_UNDERSTANDING", "PARTNERSHIP_AGREEMENT", "PROTOCOL"}
	BodyKinds         = []string{"WORKING_TABLE", "STEERING_COMMITTEE", "PANEL", "NETWORK_TABLE", "OTHER"}
	TerritoryLevels   = []string{"COUNTRY", "REGION", "PROVINCE", "MUNICIPALITY", "UNION_OF_MUNICIPALITIES", "SOCIAL_AREA"}
	ActionKinds       = []string{"WORK_PACKAGE", "TASK", "ACTIVITY", "TRAINING", "EVENT", "DELIVERABLE"}
	ActionStatuses    = []string{"PLANNED", "IN_PROGRESS", "COMPLETED", "DELAYED", "CANCELLED"}
	PartnerRoles      = []string{"LEAD", "OPERATIONAL", "TECHNICAL", "ADHERENT", "ASSOCIATE", "FUNDER"}
)

func bound(v float64) *float64 { return &v }

var (
	name     = Prop{Name: "name", Kind: String, Required: true, MaxLen: 300}
	descr    = Prop{Name: "description", Kind: String, MaxLen: 10000}
	website  = Prop{Name: "website", Kind: String, MaxLen: 500}
	level    = Prop{Name: "level", Kind: Enum, Values: GovernanceLevels}
	nonNeg   = bound(0)
	percent  = bound(100)
	nodeType = map[Label]*NodeType{
		Network: {Label: Network, IDScope: "net", SortBy: "name", Search: []string{"name", "acronym"}, Props: []Prop{
			name, {Name: "acronym", Kind: String, MaxLen: 100}, descr,
			{Name: "fund", Kind: String, MaxLen: 200}, {Name: "programme", Kind: String, MaxLen: 300},
			{Name: "startDate", Kind: Date}, {Name: "endDate", Kind: Date}, website,
		}},
		Organization: {Label: Organization, IDScope: "org", SortBy: "name", Search: []string{"name", "acronym", "aliases"}, Props: []Prop{
			name, {Name: "acronym", Kind: String, MaxLen: 100}, {Name: "aliases", Kind: StringList, MaxLen: 300},
			{Name: "kind", Kind: Enum, Required: true, Values: OrganizationKinds},
			{Name: "subtype", Kind: String, MaxLen: 200}, level, website, descr,
		}},
		Service: {Label: Service, IDScope: "svc", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, descr, {Name: "category", Kind: Enum, Required: true, Values: ServiceCategories},
			{Name: "languages", Kind: StringList, MaxLen: 50}, {Name: "targetGroups", Kind: StringList, MaxLen: 200},
			{Name: "singleAccessPoint", Kind: Bool},
		}},
		Memorandum: {Label: Memorandum, IDScope: "mou", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, descr, {Name: "kind", Kind: Enum, Required: true, Values: MemorandumKinds},
			{Name: "signedOn", Kind: Date}, {Name: "validFrom", Kind: Date}, {Name: "validUntil", Kind: Date},
		}},
		GovernanceBody: {Label: GovernanceBody, IDScope: "gov", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, descr, {Name: "kind", Kind: Enum, Required: true, Values: BodyKinds},
			{Name: "level", Kind: Enum, Required: true, Values: GovernanceLevels},
		}},
		Territory: {Label: Territory, IDScope: "terr", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, {Name: "code", Kind: String, Required: true, MaxLen: 40},
			{Name: "level", Kind: Enum, Required: true, Values: TerritoryLevels},
			{Name: "population", Kind: Int, Min: nonNeg}, {Name: "abbreviation", Kind: String, MaxLen: 10},
			{Name: "cadastralCode", Kind: String, MaxLen: 10}, {Name: "macroArea", Kind: String, MaxLen: 50},
		}},
		Action: {Label: Action, IDScope: "act", SortBy: "name", Search: []string{"name", "code"}, Props: []Prop{
			name, {Name: "code", Kind: String, MaxLen: 40}, descr,
			{Name: "kind", Kind: Enum, Required: true, Values: ActionKinds},
			{Name: "status", Kind: Enum, Values: ActionStatuses},
			{Name: "plannedStart", Kind: Date}, {Name: "plannedEnd", Kind: Date},
			{Name: "actualStart", Kind: Date}, {Name: "actualEnd", Kind: Date},
			{Name: "progress", Kind: Int, Min: nonNeg, Max: percent},
		}},
		Indicator: {Label: Indicator, IDScope: "ind", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, descr, {Name: "unit", Kind: String, MaxLen: 50},
			{Name: "baseline", Kind: Float}, {Name: "target", Kind: Float},
		}},
		Measurement: {Label: Measurement, IDScope: "msr", SortBy: "date", Search: []string{"note"}, Props: []Prop{
			{Name: "date", Kind: Date, Required: true}, {Name: "value", Kind: Float, Required: true},
			{Name: "note", Kind: String, MaxLen: 2000},
		}},
		Person: {Label: Person, IDScope: "per", SortBy: "name", Search: []string{"name"}, Props: []Prop{
			name, {Name: "email", Kind: String, MaxLen: 300, Personal: true}, {Name: "phone", Kind: String, MaxLen: 50, Personal: true},
		}},
	}

	roleProp = Prop{Name: "role", Kind: String, MaxLen: 200}
	relSpec  = map[RelType]*RelSpec{
		PartnerIn: {Type: PartnerIn, Ends: []RelEnd{{Organization, Network}}, Props: []Prop{
			{Name: "role", Kind: Enum, Required: true, Values: PartnerRoles}, {Name: "since", Kind: Date}, {Name: "until", Kind: Date},
		}},
		Provides:    {Type: Provides, Ends: []RelEnd{{Organization, Service}}},
		RefersTo:    {Type: RefersTo, Ends: []RelEnd{{Service, Service}}, Props: []Prop{{Name: "note", Kind: String, MaxLen: 500}}},
		DeliveredIn: {Type: DeliveredIn, Ends: []RelEnd{{Service, Territory}}},
		PartOf: {Type: PartOf, Ends: []RelEnd{
			{Service, Network}, {Territory, Territory}, {Action, Network}, {Action, Action},
		}},
		BasedIn:     {Type: BasedIn, Ends: []RelEnd{{Organization, Territory}}},
		OperatesIn:  {Type: OperatesIn, Ends: []RelEnd{{Organization, Territory}, {Network, Territory}}},
		Signed:      {Type: Signed, Ends: []RelEnd{{Organization, Memorandum}}, Props: []Prop{{Name: "on", Kind: Date}}},
		Covers:      {Type: Covers, Ends: []RelEnd{{Memorandum, Network}, {Memorandum, Territory}}},
		SitsOn:      {Type: SitsOn, Ends: []RelEnd{{Organization, GovernanceBody}}, Props: []Prop{roleProp}},
		Coordinates: {Type: Coordinates, Ends: []RelEnd{{GovernanceBody, Network}}},
		ReportsTo:   {Type: ReportsTo, Ends: []RelEnd{{GovernanceBody, GovernanceBody}}},
		ResponsibleFor: {Type: ResponsibleFor, Ends: []RelEnd{
			{GovernanceBody, Territory}, {Organization, Action},
		}},
		ContributesTo:  {Type: ContributesTo, Ends: []RelEnd{{Organization, Action}}},
		DependsOn:      {Type: DependsOn, Ends: []RelEnd{{Action, Action}}},
		Tracks:         {Type: Tracks, Ends: []RelEnd{{Action, Indicator}}},
		HoldsRole:      {Type: HoldsRole, Ends: []RelEnd{{Person, Organization}, {Person, GovernanceBody}}, Props: []Prop{{Name: "title", Kind: String, MaxLen: 300}}},
		HasMeasurement: {Type: HasMeasurement, Ends: []RelEnd{{Indicator, Measurement}}},
	}
)

// RelTypes lists every relationship type, in a stable order.
var RelTypes = []RelType{PartnerIn, Provides, RefersTo, DeliveredIn, PartOf, BasedIn, OperatesIn, Signed, Covers,
	SitsOn, Coordinates, ReportsTo, ResponsibleFor, ContributesTo, DependsOn, Tracks, HoldsRole, HasMeasurement}

// Strength is the optional weight every relationship may carry (Kumu's
// "Strength"); weighted metrics use it, and 1 when it is absent.
var Strength = Prop{Name: "strength", Kind: Float, Min: bound(0)}

func init() {
	for _, r := range relSpec {
		r.Props = append(r.Props, Strength)
	}
}

// Caption is the human-readable label of a node: its name, or its sort
// value (a measurement's date), or its id.
func Caption(n Node) string {
	if s, ok := n.Props["name"].(string); ok && s != "" {
		return s
	}
	if s := SortValue(n); s != "" {
		return s
	}
	return n.ID
}

// TypeOf returns the description of a label, or nil if the label is unknown.
func TypeOf(l Label) *NodeType { return nodeType[l] }

// SpecOf returns the description of a relationship type, or nil if it is unknown.
func SpecOf(t RelType) *RelSpec { return relSpec[t] }

// TerritoryRels names, per label, the relationships through which a node of that
// label is located in territories; the territory filter of a list follows them.
// Territories themselves are located in their own subtree.
var TerritoryRels = map[Label][]RelType{
	Network:        {OperatesIn},
	Organization:   {BasedIn, OperatesIn},
	Service:        {DeliveredIn},
	Memorandum:     {Covers},
	GovernanceBody: {ResponsibleFor},
}

// TerritoryID is the node id of the territory with the given (ISTAT) code.
func TerritoryID(code string) string { return "terr-" + code }
