package grafana

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// What every dashboard must use.
const (
	datasourceUID  = "campusguard-influx"
	datasourceType = "influxdb"
	defaultBucket  = "campusguard/autogen"
	minSchema      = 39
)

// How the test stands in for Grafana's variables (a panel's relative time
// override and minimum interval take precedence, as in Grafana).
const (
	testRangeStart   = "-2h"
	testRangeStop    = "now()"
	testWindowPeriod = "1m"
)

// The parts of Grafana's dashboard JSON the test reads.
type (
	dashboardJSON struct {
		UID           string      `json:"uid"`
		Title         string      `json:"title"`
		SchemaVersion int         `json:"schemaVersion"`
		Panels        []panelJSON `json:"panels"`
		Templating    struct {
			List []variableJSON `json:"list"`
		} `json:"templating"`
	}
	panelJSON struct {
		ID         int          `json:"id"`
		Type       string       `json:"type"`
		Title      string       `json:"title"`
		Datasource *dsRef       `json:"datasource"`
		TimeFrom   string       `json:"timeFrom"`
		Interval   string       `json:"interval"`
		Targets    []targetJSON `json:"targets"`
		Panels     []panelJSON  `json:"panels"` // a collapsed row's panels
	}
	targetJSON struct {
		RefID      string `json:"refId"`
		Datasource *dsRef `json:"datasource"`
		Query      string `json:"query"`
	}
	variableJSON struct {
		Type       string          `json:"type"`
		Name       string          `json:"name"`
		Datasource *dsRef          `json:"datasource"`
		Query      json.RawMessage `json:"query"`
		Current    struct {
			Value any `json:"value"`
		} `json:"current"`
	}
	dsRef struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
)

// dashboardQuery is one Flux query of a dashboard: a panel target or a
// query variable.
type dashboardQuery struct {
	file     string // city-overview.json
	title    string // the dashboard's title
	panel    string // the panel's title, or "variable <name>"
	query    string // as in the JSON
	timeFrom string // the panel's relative time ("2d"), if any
	interval string // the panel's minimum interval ("5m"), if any
	regionOK bool   // the query must filter on ${region} (dashboards with a region variable)
}

func (q *dashboardQuery) String() string {
	return fmt.Sprintf("dashboard %s (%s), panel %q", q.file, q.title, q.panel)
}

// loadDashboards parses every *.json of the package directory and returns
// their queries, checking the conventions every dashboard follows.
func loadDashboards(t *testing.T) []dashboardQuery {
	t.Helper()
	files, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no dashboard *.json in the package directory")
	}
	var out []dashboardQuery
	uids := map[string]string{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboardJSON
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&d); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		switch {
		case d.UID == "":
			t.Errorf("%s: no uid", file)
		case uids[d.UID] != "":
			t.Errorf("%s: uid %q is also the uid of %s", file, d.UID, uids[d.UID])
		}
		uids[d.UID] = file
		if !chineseThenEnglish(d.Title) {
			t.Errorf("%s: title %q is not Chinese first, English second", file, d.Title)
		}
		if d.SchemaVersion < minSchema {
			t.Errorf("%s: schemaVersion %d, want >= %d", file, d.SchemaVersion, minSchema)
		}
		vars := map[string]variableJSON{}
		for _, v := range d.Templating.List {
			vars[v.Name] = v
		}
		if b, ok := vars["bucket"]; !ok || b.Current.Value != defaultBucket {
			t.Errorf("%s: want a variable bucket with default %q", file, defaultBucket)
		}
		_, hasRegion := vars["region"]
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			if v.Datasource == nil || v.Datasource.UID != datasourceUID {
				t.Errorf("%s: variable %s: datasource is not %s", file, v.Name, datasourceUID)
			}
			var query string
			if err := json.Unmarshal(v.Query, &query); err != nil || query == "" {
				t.Errorf("%s: variable %s: want a Flux query string, got %s", file, v.Name, v.Query)
				continue
			}
			out = append(out, dashboardQuery{file: file, title: d.Title, panel: "variable " + v.Name, query: query})
		}
		var walk func(ps []panelJSON)
		walk = func(ps []panelJSON) {
			for _, p := range ps {
				walk(p.Panels)
				if p.Type == "row" {
					continue
				}
				where := fmt.Sprintf("%s: panel %d %q", file, p.ID, p.Title)
				if !chineseThenEnglish(p.Title) {
					t.Errorf("%s: title is not Chinese first, English second", where)
				}
				if p.Datasource == nil || p.Datasource.UID != datasourceUID || p.Datasource.Type != datasourceType {
					t.Errorf("%s: datasource is not {type: %s, uid: %s}", where, datasourceType, datasourceUID)
				}
				if len(p.Targets) == 0 {
					t.Errorf("%s: no targets", where)
				}
				for _, tg := range p.Targets {
					if tg.Datasource != nil && tg.Datasource.UID != datasourceUID {
						t.Errorf("%s: target %s: datasource %q", where, tg.RefID, tg.Datasource.UID)
					}
					if tg.Query == "" {
						t.Errorf("%s: target %s: no Flux query", where, tg.RefID)
						continue
					}
					for _, must := range []string{`from(bucket: "${bucket}")`, "v.timeRangeStart", "v.timeRangeStop"} {
						if !strings.Contains(tg.Query, must) {
							t.Errorf("%s: target %s: query does not use %s", where, tg.RefID, must)
						}
					}
					out = append(out, dashboardQuery{
						file: file, title: d.Title, panel: p.Title, query: tg.Query,
						timeFrom: p.TimeFrom, interval: p.Interval, regionOK: hasRegion,
					})
				}
			}
		}
		walk(d.Panels)
	}
	return out
}

// chineseThenEnglish reports whether s starts with a Han character and
// also holds Latin letters (titles are "中文 English").
func chineseThenEnglish(s string) bool {
	r := []rune(strings.TrimSpace(s))
	return len(r) > 0 && unicode.Is(unicode.Han, r[0]) && strings.IndexFunc(s, func(c rune) bool {
		return c < unicode.MaxASCII && unicode.IsLetter(c)
	}) >= 0
}

// leftover finds Grafana variables a substitution missed.
var leftover = regexp.MustCompile(`\$\{?[A-Za-z_][A-Za-z0-9_]*|\bv\.[a-zA-Z]+`)

// substitute replaces Grafana's variables as Grafana would for a query
// over the last 2 hours (or the panel's relative time) with 1-minute
// windows (or the panel's minimum interval).
func substitute(q *dashboardQuery, bucket, region string) (string, error) {
	start, window := testRangeStart, testWindowPeriod
	if q.timeFrom != "" {
		start = "-" + strings.TrimPrefix(q.timeFrom, "now-")
	}
	if q.interval != "" {
		iv, err := time.ParseDuration(q.interval)
		if err != nil {
			return "", fmt.Errorf("panel interval %q: %v", q.interval, err)
		}
		if def, _ := time.ParseDuration(window); iv > def {
			window = q.interval
		}
	}
	out := strings.NewReplacer(
		"v.timeRangeStart", start,
		"v.timeRangeStop", testRangeStop,
		"v.windowPeriod", window,
		"${bucket}", bucket, "$bucket", bucket,
		"${region}", region, "$region", region,
	).Replace(q.query)
	if m := leftover.FindString(out); m != "" {
		return "", fmt.Errorf("unknown variable %s left in the query", m)
	}
	return out, nil
}

// runFlux posts a Flux query to InfluxDB's /api/v2/query (what Grafana's
// Flux datasource does) and returns the number of data rows.
func runFlux(client *http.Client, base, query string) (int, error) {
	u := base + "/api/v2/query?" + url.Values{"org": {"campusguard"}}.Encode() // 1.8 ignores org
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(query))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/vnd.flux")
	req.Header.Set("Accept", "application/csv")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		msg := resp.Header.Get("X-Influxdb-Error")
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		return 0, fmt.Errorf("%s: %s", resp.Status, msg)
	}
	return countRows(body)
}

// countRows counts the data rows of Flux's CSV response (annotated or not:
// tables are separated by blank lines, each starts with a header row) and
// returns the message of an error table.
func countRows(body []byte) (int, error) {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	rows := 0
	for _, block := range bytes.Split(body, []byte("\n\n")) {
		r := csv.NewReader(bytes.NewReader(block))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			return 0, fmt.Errorf("CSV response: %v", err)
		}
		var header []string
		for _, rec := range recs {
			if strings.HasPrefix(rec[0], "#") {
				continue
			}
			if header == nil {
				header = rec
				continue
			}
			if slices.Contains(header, "error") && !slices.Contains(header, "table") {
				i := slices.Index(header, "error")
				return 0, errors.New("error table: " + rec[min(i, len(rec)-1)])
			}
			rows++
		}
	}
	return rows, nil
}

// TestDashboardQueries runs every Flux query of every dashboard (panel
// targets and query variables) on a real InfluxDB 1.8 holding 90 minutes
// of simulated campusguard data, and fails when a query errors or returns
// no row.
func TestDashboardQueries(t *testing.T) {
	queries := loadDashboards(t)
	if t.Failed() {
		t.FailNow()
	}

	srv := testenv.Influx(t)
	data := loadSimData(t, time.Now())
	if data.violations == 0 {
		t.Fatal("the simulation produced no kitchen.violation")
	}
	srv.Write(t, string(data.lines))
	for _, m := range []string{"heartbeat", "access", "guard", "kitchen", "alarm", "alert"} {
		if got, want := srv.Count(t, m), data.points[m]; got != want || want == 0 {
			t.Fatalf("%s: %d points in InfluxDB, wrote %d", m, got, want)
		}
	}
	t.Logf("wrote %v (%d kitchen.violation); ${region} = %s", data.points, data.violations, data.region)

	client := &http.Client{Timeout: 60 * time.Second}
	for i := range queries {
		q := &queries[i]
		t.Run(strings.TrimSuffix(q.file, ".json")+"/"+q.panel, func(t *testing.T) {
			if q.regionOK && !strings.Contains(q.query, "${region}") && !strings.Contains(q.query, "$region") {
				t.Errorf("%s: the dashboard has a region variable but the query does not filter on ${region}:\n%s", q, q.query)
			}
			flux, err := substitute(q, srv.Bucket(), data.region)
			if err != nil {
				t.Fatalf("%s: %v:\n%s", q, err, q.query)
			}
			n, err := runFlux(client, srv.URL(), flux)
			switch {
			case err != nil:
				t.Fatalf("%s: query failed: %v\n%s", q, err, flux)
			case n == 0:
				t.Fatalf("%s: query returned no rows on the simulated data:\n%s", q, flux)
			}
			t.Logf("%d rows", n)
		})
	}
}

func TestCountRows(t *testing.T) {
	for _, c := range []struct {
		name, body string
		rows       int
		err        bool
	}{
		{"annotated", "#datatype,string,long,string,long\r\n#group,false,false,true,false\r\n#default,_result,,,\r\n,result,table,severity,_value\r\n,,0,P1,1\r\n,,1,P2,1\r\n\r\n", 2, false},
		{"plain, two tables", ",result,table,_value\r\n,_result,0,1\r\n\r\n,result,table,_value,kind\r\n,_result,1,2,alarm\r\n,_result,1,3,alarm\r\n\r\n", 3, false},
		{"empty", "\r\n", 0, false},
		{"error table", "#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,boom,\n\n", 0, true},
	} {
		n, err := countRows([]byte(c.body))
		if n != c.rows || (err != nil) != c.err {
			t.Errorf("%s: got %d rows, err %v; want %d rows, error %v", c.name, n, err, c.rows, c.err)
		}
	}
}

// TestProvisioning checks that the provisioning files name the datasource
// the dashboards use, as docs/grafana.md describes it.
func TestProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			UID      string            `yaml:"uid"`
			Type     string            `yaml:"type"`
			URL      string            `yaml:"url"`
			JSONData map[string]any    `yaml:"jsonData"`
			Secure   map[string]string `yaml:"secureJsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/campusguard.yaml", &ds)
	if len(ds.Datasources) != 1 {
		t.Fatalf("want one datasource, got %d", len(ds.Datasources))
	}
	d := ds.Datasources[0]
	if d.UID != datasourceUID || d.Type != datasourceType || d.URL != "http://127.0.0.1:8086" {
		t.Errorf("datasource uid %q type %q url %q", d.UID, d.Type, d.URL)
	}
	for k, want := range map[string]string{"version": "Flux", "organization": "campusguard", "defaultBucket": defaultBucket} {
		if got := d.JSONData[k]; got != want {
			t.Errorf("jsonData.%s = %v, want %q", k, got, want)
		}
	}
	if got := d.Secure["token"]; got != "$INFLUX_TOKEN" {
		t.Errorf("secureJsonData.token = %q, want $INFLUX_TOKEN", got)
	}

	var dp struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/campusguard.yaml", &dp)
	if len(dp.Providers) != 1 || dp.Providers[0].Type != "file" || dp.Providers[0].Options.Path == "" {
		t.Errorf("want one file provider with a path, got %+v", dp.Providers)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
