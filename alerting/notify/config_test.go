package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// sampleEnv holds every secret the sample config names.
var sampleEnv = map[string]string{
	"CAMPUSGUARD_ALERTS_MQTT_PASSWORD":   "mqtt-pass",
	"CAMPUSGUARD_DINGTALK_POLICE_URL":    "https://oapi.dingtalk.com/robot/send?access_token=tok",
	"CAMPUSGUARD_DINGTALK_POLICE_SECRET": "SECsecret",
	"CAMPUSGUARD_WECOM_EDU_URL":          "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
	"CAMPUSGUARD_WECOM_MARKET_URL":       "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k2",
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestSampleConfig: the commented sample loads and builds, so it cannot rot.
func TestSampleConfig(t *testing.T) {
	c, err := LoadConfig(filepath.Join("testdata", "notify.sample.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The sample's CA file does not exist here: point it at a real PEM.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, selfSignedPEM(t), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Receivers[0].MQTT.CAFile = ca
	routes, err := c.Build(BuildOptions{LookupEnv: lookupIn(sampleEnv)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range routes {
		names = append(names, r.Name)
	}
	if want := []string{"alert-topic", "police-110", "education-bureau", "market-regulation", "ops-archive"}; !slices.Equal(names, want) {
		t.Errorf("routes %v, want %v", names, want)
	}
	mq, ok := routes[0].Notifier.(*MQTTNotifier)
	if !ok || string(mq.opts.Password) != "mqtt-pass" || mq.opts.ClientID != "campusguard-alerts" || mq.tls == nil {
		t.Errorf("alert-topic notifier = %#v", routes[0].Notifier)
	}
	police, ok := routes[1].Notifier.(*WebhookNotifier)
	if !ok || police.format != FormatDingTalk || string(police.secret) != "SECsecret" || !strings.Contains(police.url, "access_token=tok") {
		t.Errorf("police-110 notifier = %#v", routes[1].Notifier)
	}
	if r := routes[1]; !slices.Equal(r.Regions, []string{"130802", "130803"}) || r.MinSeverity != alerting.P1 ||
		!slices.Equal(r.Audiences, []alerting.Audience{alerting.Police}) {
		t.Errorf("police-110 route = %+v", r)
	}
	if _, err := NewDispatcher(c.Options(), routes); err != nil {
		t.Errorf("NewDispatcher: %v", err)
	}
	if o := c.Options(); o.QueueSize != 0 || o.RetryMin != 0 || o.RetryMax != 0 || o.MaxAttempts != 0 || o.AttemptTimeout != 0 {
		t.Errorf("sample's dispatcher options = %+v, want all defaults", o)
	}
}

func TestConfigSharedReceiver(t *testing.T) {
	c, err := ParseConfig([]byte(`
receivers:
  - name: hook
    webhook: {url: "https://h.example/x", format: generic}
routes:
  - receiver: hook
    audiences: [police]
  - receiver: hook
    audiences: [market]
`))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := c.Build(BuildOptions{LookupEnv: lookupIn(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[0].Notifier != routes[1].Notifier {
		t.Errorf("two routes to one receiver must share its notifier: %+v", routes)
	}
	if _, err := NewDispatcher(Options{}, routes); err != nil {
		t.Error(err)
	}
}

func TestConfigDispatcherSettings(t *testing.T) {
	c, err := ParseConfig([]byte(`
queue_size: 500
retry_min: 2s
retry_max: 5m
max_attempts: 7
attempt_timeout: 15s
receivers:
  - name: hook
    webhook: {url: "https://h.example/x", format: generic, timeout: 3s}
routes:
  - receiver: hook
`))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Options()
	if got.QueueSize != 500 || got.RetryMin != 2*time.Second || got.RetryMax != 5*time.Minute || got.MaxAttempts != 7 || got.AttemptTimeout != 15*time.Second {
		t.Errorf("Options = %+v", got)
	}
	if c.Receivers[0].Webhook.Timeout != 3*time.Second {
		t.Errorf("timeout = %s", c.Receivers[0].Webhook.Timeout)
	}
}

// TestConfigErrors: strict decoding, and every validation error names its field.
func TestConfigErrors(t *testing.T) {
	const hook = "receivers:\n  - name: hook\n    webhook: {url: \"https://h.example/x\", format: generic}\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "", []string{"empty file"}},
		{"unknown top-level key", "recievers: []\n", []string{"recievers", "not found"}},
		{"unknown receiver key", "receivers:\n  - name: x\n    slack: {}\n", []string{"slack", "not found"}},
		{"unknown webhook key", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: generic, secret: s}\n", []string{"secret", "not found"}},
		{"two documents", hook + "routes: [{receiver: hook}]\n---\nreceivers: []\n", []string{"more than one YAML document"}},
		{"bad duration", "retry_min: soon\n", []string{"line 1: retry_min: cannot unmarshal", "soon"}},
		{"bad nested type", hook + "routes:\n  - receiver: hook\n    regions: \"130802\"\n", []string{"line 6: routes[0].regions: cannot unmarshal"}},
		{"bad flow value", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: generic, timeout: 5}\n", []string{"line 3: receivers[0].webhook: cannot unmarshal"}},
		{"negative queue", "queue_size: -1\n", []string{"queue_size: must be > 0"}},
		{"retry_min above retry_max", "retry_min: 2m\nretry_max: 1m\n", []string{"retry_min: 2m0s must not exceed retry_max"}},
		{"receiver without name", "receivers:\n  - webhook: {url: \"https://h/x\", format: generic}\n", []string{"receivers[0].name: is required"}},
		{"receiver name as label", "receivers:\n  - name: Police 110\n    webhook: {url: \"https://h/x\", format: generic}\nroutes: [{receiver: Police 110}]\n", []string{"receivers[0].name: must match"}},
		{"duplicate receiver", hook + "  - name: hook\n    webhook: {url: \"https://h/y\", format: generic}\nroutes: [{receiver: hook}]\n", []string{"receivers[1].name: duplicate receiver \"hook\""}},
		{"neither kind", "receivers:\n  - name: x\nroutes: [{receiver: x}]\n", []string{"receivers[0]: needs exactly one of webhook and mqtt"}},
		{"both kinds", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: generic}\n    mqtt: {broker: \"tcp://h:1883\"}\nroutes: [{receiver: x}]\n", []string{"receivers[0]: needs exactly one of webhook and mqtt"}},
		{"url and url_env", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", url_env: U, format: generic}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook: needs exactly one of url and url_env"}},
		{"token in url", "receivers:\n  - name: x\n    webhook: {url: \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc\", format: wecom}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.url: carries a credential (key=)", "url_env"}},
		{"access_token in url", "receivers:\n  - name: x\n    webhook: {url: \"https://oapi.dingtalk.com/robot/send?access_token=abc\", format: dingtalk}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.url: carries a credential (access_token=)"}},
		{"password in url", "receivers:\n  - name: x\n    webhook: {url: \"https://u:p@h/x\", format: generic}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.url: must not carry credentials"}},
		{"relative url", "receivers:\n  - name: x\n    webhook: {url: \"/x\", format: generic}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.url: must be an absolute http or https URL"}},
		{"bad env name", "receivers:\n  - name: x\n    webhook: {url_env: \"my-url\", format: generic}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.url_env: must be an environment variable name"}},
		{"no format", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\"}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.format: is required"}},
		{"bad format", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: slack}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.format: must be generic, wecom or dingtalk: \"slack\""}},
		{"secret for wecom", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, secret_env: S}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.secret_env: only the dingtalk format signs requests"}},
		{"mqtt without broker", "receivers:\n  - name: x\n    mqtt: {username: u}\nroutes: [{receiver: x}]\n", []string{"receivers[0].mqtt.broker: is required"}},
		{"mqtt credentials in broker", "receivers:\n  - name: x\n    mqtt: {broker: \"tcp://u:p@h:1883\"}\nroutes: [{receiver: x}]\n", []string{"receivers[0].mqtt.broker: must not carry credentials"}},
		{"mqtt bad scheme", "receivers:\n  - name: x\n    mqtt: {broker: \"http://h:1883\"}\nroutes: [{receiver: x}]\n", []string{"receivers[0].mqtt: broker scheme must be"}},
		{"mqtt cert without key", "receivers:\n  - name: x\n    mqtt: {broker: \"ssl://h:8883\", cert_file: c.pem}\nroutes: [{receiver: x}]\n", []string{"receivers[0].mqtt: cert_file and key_file go together"}},
		{"route without receiver", hook + "routes:\n  - audiences: [police]\n", []string{"routes[0].receiver: is required"}},
		{"route to unknown receiver", hook + "routes:\n  - receiver: hook\n  - receiver: nobody\n", []string{"routes[1].receiver: no receiver named \"nobody\""}},
		{"bad audience", hook + "routes:\n  - receiver: hook\n    audiences: [police, fire]\n", []string{"routes[0].audiences[1]: must be police, education, market or school: \"fire\""}},
		{"unquoted region", hook + "routes:\n  - receiver: hook\n    regions: [130802, \"1308\"]\n", []string{"routes[0].regions[1]: must be a 6-digit division code"}},
		{"bad severity", hook + "routes:\n  - receiver: hook\n    min_severity: high\n", []string{"routes[0].min_severity: severity must be P0, P1, P2 or P3"}},
		{"mqtt route filtered by audience", "receivers:\n  - name: topic\n    mqtt: {broker: \"tcp://h:1883\"}\nroutes:\n  - receiver: topic\n    audiences: [police]\n", []string{"routes[0].audiences: receiver \"topic\" is the MQTT alert topic"}},
		{"group for generic", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: generic, group: {wait: 10s}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.group: only the wecom and dingtalk formats send digests"}},
		{"group on mqtt", "receivers:\n  - name: x\n    mqtt: {broker: \"tcp://h:1883\", group: {wait: 10s}}\nroutes: [{receiver: x}]\n", []string{"group", "not found"}},
		{"group by unknown label", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, group: {by: [rule, county]}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.group.by[1]: must be one of rule, region, severity, school: \"county\""}},
		{"group by twice", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, group: {by: [rule, rule]}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.group.by[1]: \"rule\" is listed twice"}},
		{"negative group wait", "receivers:\n  - name: x\n    webhook: {url_env: U, format: dingtalk, group: {wait: -1s, interval: -1s, max_alerts: -1}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.group.wait: must be > 0", "group.interval: must be > 0", "group.max_alerts: must be > 0"}},
		{"group disabled with options", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, group: {disabled: true, wait: 5s}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.group.disabled: leave the other group options out"}},
		{"unknown group key", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, group: {group_wait: 5s}}\nroutes: [{receiver: x}]\n", []string{"group_wait", "not found"}},
		{"rate without limit for generic", "receivers:\n  - name: x\n    webhook: {url: \"https://h/x\", format: generic, rate: {per: 1m}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.rate.limit: is required for the generic format"}},
		{"negative rate", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, rate: {limit: -1, per: -1m}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.rate.limit: must be > 0", "receivers[0].webhook.rate.per: must be > 0"}},
		{"reserve not below limit", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, rate: {limit: 10, reserve: 10}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.rate.reserve: must be at least 0 and below the limit 10: 10"}},
		{"reserve above robot default", "receivers:\n  - name: x\n    webhook: {url_env: U, format: dingtalk, rate: {reserve: 25}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.rate.reserve: must be at least 0 and below the limit 20: 25"}},
		{"rate disabled with options", "receivers:\n  - name: x\n    webhook: {url_env: U, format: wecom, rate: {disabled: true, limit: 5}}\nroutes: [{receiver: x}]\n", []string{"receivers[0].webhook.rate.disabled: leave the other rate options out"}},
		{"mqtt route filtered by severity", "receivers:\n  - name: topic\n    mqtt: {broker: \"tcp://h:1883\"}\nroutes:\n  - receiver: topic\n    min_severity: P1\n", []string{"routes[0].min_severity: receiver \"topic\" is the MQTT alert topic"}},
		{"unused receiver", hook, []string{"receivers[0]: receiver \"hook\" is not used by any route"}},
		{"several errors at once", "queue_size: -1\n" + hook + "routes:\n  - receiver: nobody\n", []string{"queue_size", "routes[0].receiver", "receivers[0]: receiver \"hook\" is not used"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestConfigAllowedForMQTT: an MQTT route may narrow regions (a regional
// instance) and may list every audience.
func TestConfigAllowedForMQTT(t *testing.T) {
	_, err := ParseConfig([]byte(`
receivers:
  - name: topic
    mqtt: {broker: "tcp://h:1883"}
routes:
  - receiver: topic
    regions: ["130800"]
    audiences: [police, education, market, school]
    min_severity: P3
`))
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuildSecrets: a missing secret fails Build naming field and
// variable, never a value.
func TestBuildSecrets(t *testing.T) {
	c, err := ParseConfig([]byte(`
receivers:
  - name: police-110
    webhook: {url_env: DT_URL, format: dingtalk, secret_env: DT_SECRET}
  - name: topic
    mqtt: {broker: "tcp://h:1883", password_env: MQ_PASS}
routes:
  - receiver: police-110
  - receiver: topic
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Build(BuildOptions{LookupEnv: lookupIn(map[string]string{"DT_URL": "https://oapi.dingtalk.com/robot/send?access_token=sekrit", "DT_SECRET": ""})})
	if err == nil {
		t.Fatal("built without secrets")
	}
	for _, w := range []string{"receivers[0].webhook.secret_env: environment variable DT_SECRET is not set", "receivers[1].mqtt.password_env: environment variable MQ_PASS is not set"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "sekrit") {
		t.Errorf("error reveals a secret: %v", err)
	}
	_, err = c.Build(BuildOptions{LookupEnv: lookupIn(map[string]string{"DT_URL": "not a url", "DT_SECRET": "s", "MQ_PASS": "p"})})
	if err == nil || !strings.Contains(err.Error(), "receivers[0].webhook.url_env (DT_URL): url must be") || strings.Contains(err.Error(), "not a url") {
		t.Errorf("bad URL in the environment: %v", err)
	}
	routes, err := c.Build(BuildOptions{LookupEnv: lookupIn(map[string]string{"DT_URL": "https://oapi.dingtalk.com/robot/send?access_token=sekrit", "DT_SECRET": "sekrit-signing", "MQ_PASS": "sekrit-pass"})})
	if err != nil {
		t.Fatal(err)
	}
	mq := routes[1].Notifier.(*MQTTNotifier)
	wh := routes[0].Notifier.(*WebhookNotifier)
	for _, dump := range []string{fmt.Sprintf("%v %+v %#v", mq.opts, mq.opts, mq.opts), fmt.Sprintf("%v %+v", wh.secret, wh.secret)} {
		if strings.Contains(dump, "sekrit") {
			t.Errorf("a dump reveals a secret: %s", dump)
		}
	}
}

// selfSignedPEM is a CA certificate for the TLS options.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestConfigPacingDefaults: the robots group and are paced by default; the
// generic webhook and the MQTT topic do neither unless told; every option
// overrides its default.
func TestConfigPacingDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`
receivers:
  - name: topic
    mqtt: {broker: "tcp://h:1883"}
  - name: archive
    webhook: {url: "https://h/x", format: generic}
  - name: archive-paced
    webhook: {url: "https://h/y", format: generic, rate: {limit: 100}}
  - name: wecom
    webhook: {url_env: U, format: wecom}
  - name: dingtalk-tuned
    webhook:
      url_env: U
      format: dingtalk
      group: {by: [rule, region, severity], wait: 10s, interval: 5m, max_alerts: 25}
      rate: {limit: 10, per: 30s, reserve: 3}
  - name: wecom-raw
    webhook: {url_env: U, format: wecom, group: {disabled: true}, rate: {disabled: true}}
routes:
  - receiver: topic
  - receiver: archive
  - receiver: archive-paced
  - receiver: wecom
  - receiver: dingtalk-tuned
  - receiver: wecom-raw
`))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := c.Build(BuildOptions{LookupEnv: func(string) (string, bool) { return "https://h/robot?key=k", true }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		g GroupOptions
		r RateOptions
	}{
		"topic":          {},
		"archive":        {},
		"archive-paced":  {r: RateOptions{Limit: 100, Per: time.Minute, Reserve: 25}},
		"wecom":          {RobotGroup(), RobotRate()},
		"dingtalk-tuned": {GroupOptions{By: []string{"rule", "region", "severity"}, Wait: 10 * time.Second, Interval: 5 * time.Minute, MaxAlerts: 25}, RateOptions{Limit: 10, Per: 30 * time.Second, Reserve: 3}},
		"wecom-raw":      {},
	}
	for _, r := range routes {
		w := want[r.Name]
		if !r.Group.equal(&w.g) || r.Rate != w.r {
			t.Errorf("%s: group %+v rate %+v, want %+v %+v", r.Name, r.Group, r.Rate, w.g, w.r)
		}
	}
	if RobotRate() != (RateOptions{Limit: 20, Per: time.Minute, Reserve: 5}) {
		t.Errorf("robot rate = %+v, want the documented 20 a minute", RobotRate())
	}
	if _, err := NewDispatcher(Options{}, routes); err != nil {
		t.Errorf("NewDispatcher: %v", err)
	}
}
