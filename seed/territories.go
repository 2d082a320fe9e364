package seed

import (
	"encoding/json"
	"fmt"
	"strings"

	"govhub/graph"
)

// CountryCode is the code, and CountryName the name, of the country node
// every region is PART_OF.
const (
	CountryCode = "IT"
	CountryName = "Italia"
)

// istatData is the shape of italy-territories.json.
type istatData struct {
	Source  string `json:"source"`
	Regions []struct {
		Code      string `json:"istat"`
		Name      string `json:"name"`
		MacroArea string `json:"macroArea"`
	} `json:"regions"`
	Provinces []struct {
		Code         string `json:"istat"`
		Name         string `json:"name"`
		Abbreviation string `json:"abbreviation"`
		Region       string `json:"region"`
	} `json:"provinces"`
	Municipalities []struct {
		Code          string `json:"istat"`
		Name          string `json:"name"`
		Province      string `json:"province"`
		Region        string `json:"region"`
		CadastralCode string `json:"cadastralCode"`
		Population    int64  `json:"population"`
	} `json:"municipalities"`
}

// territoryDump converts the ISTAT list into a dump: one COUNTRY, and the
// regions, provinces and municipalities, each PART_OF its parent. The
// population of municipalities is the data's; provinces, regions and the
// country get the sum of their municipalities. It rejects data whose codes
// are malformed or duplicated, or whose parents are missing or disagree.
func territoryDump(raw []byte) (*graph.Dump, error) {
	var in istatData
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("seed: decode territories: %w", err)
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	checkCode := func(what, code string, digits int) {
		if len(code) != digits || strings.Trim(code, "0123456789") != "" {
			bad("%s code %q is not %d digits", what, code, digits)
		}
	}

	regions := make(map[string]bool, len(in.Regions))
	provinces := make(map[string]string, len(in.Provinces)) // code -> region code
	popRegion := map[string]int64{}
	popProvince := map[string]int64{}
	var popCountry int64
	for _, r := range in.Regions {
		checkCode("region", r.Code, 2)
		if regions[r.Code] {
			bad("region code %s is duplicated", r.Code)
		}
		regions[r.Code] = true
	}
	for _, p := range in.Provinces {
		checkCode("province", p.Code, 3)
		if _, dup := provinces[p.Code]; dup {
			bad("province code %s is duplicated", p.Code)
		}
		if !regions[p.Region] {
			bad("province %s (%s) is in unknown region %q", p.Code, p.Name, p.Region)
		}
		provinces[p.Code] = p.Region
	}
	municipalities := make(map[string]bool, len(in.Municipalities))
	for _, m := range in.Municipalities {
		checkCode("municipality", m.Code, 6)
		if municipalities[m.Code] {
			bad("municipality code %s is duplicated", m.Code)
		}
		municipalities[m.Code] = true
		region, ok := provinces[m.Province]
		switch {
		case !ok:
			bad("municipality %s (%s) is in unknown province %q", m.Code, m.Name, m.Province)
		case region != m.Region:
			bad("municipality %s (%s) is in region %q but its province %s is in %q", m.Code, m.Name, m.Region, m.Province, region)
		case !strings.HasPrefix(m.Code, m.Province):
			bad("municipality code %s does not start with its province code %s", m.Code, m.Province)
		}
		if m.Population < 0 {
			bad("municipality %s (%s) has a negative population", m.Code, m.Name)
		}
		popProvince[m.Province] += m.Population
		popRegion[m.Region] += m.Population
		popCountry += m.Population
	}
	if len(errs) > 0 {
		if len(errs) > 10 {
			errs = append(errs[:10], fmt.Sprintf("and %d more", len(errs)-10))
		}
		return nil, fmt.Errorf("seed: territories: %s", strings.Join(errs, "; "))
	}

	n := 1 + len(in.Regions) + len(in.Provinces) + len(in.Municipalities)
	d := &graph.Dump{
		Format:  graph.DumpFormat,
		Version: graph.DumpVersion,
		Source:  in.Source,
		Nodes:   make([]graph.DumpNode, 0, n),
		Edges:   make([]graph.DumpEdge, 0, n-1),
	}
	add := func(code string, props graph.Props, parent string) {
		for k, v := range props {
			if v == "" {
				delete(props, k) // absent rather than empty
			}
		}
		d.Nodes = append(d.Nodes, graph.DumpNode{ID: graph.TerritoryID(code), Label: graph.Territory, Props: props})
		if parent != "" {
			d.Edges = append(d.Edges, graph.DumpEdge{Type: graph.PartOf, From: graph.TerritoryID(code), To: graph.TerritoryID(parent)})
		}
	}
	add(CountryCode, graph.Props{"name": CountryName, "code": CountryCode, "level": "COUNTRY", "population": popCountry}, "")
	for _, r := range in.Regions {
		add(r.Code, graph.Props{"name": r.Name, "code": r.Code, "level": "REGION", "population": popRegion[r.Code],
			"macroArea": r.MacroArea}, CountryCode)
	}
	for _, p := range in.Provinces {
		add(p.Code, graph.Props{"name": p.Name, "code": p.Code, "level": "PROVINCE", "population": popProvince[p.Code],
			"abbreviation": p.Abbreviation}, p.Region)
	}
	for _, m := range in.Municipalities {
		add(m.Code, graph.Props{"name": m.Name, "code": m.Code, "level": "MUNICIPALITY", "population": m.Population,
			"cadastralCode": m.CadastralCode}, m.Province)
	}
	return d, nil
}
