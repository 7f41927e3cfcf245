package devices

import (
	"bytes"
	"strings"
	"testing"
)

// TestSchoolContact checks a school's optional contact: both or neither,
// a phone of digits, spaces and +-().
func TestSchoolContact(t *testing.T) {
	tests := []struct {
		name    string
		contact Contact
		want    string // in the error, "" for none
	}{
		{"none", Contact{}, ""},
		{"landline", Contact{Name: "王主任", Phone: "0314-2051234"}, ""},
		{"mobile", Contact{Name: "Li", Phone: "+86 (138) 0314 5678"}, ""},
		{"no name", Contact{Phone: "0314-2051234"}, "schools[0].contact.name: missing contact name"},
		{"no phone", Contact{Name: "王主任"}, "schools[0].contact.phone: missing contact phone"},
		{"letters", Contact{Name: "王主任", Phone: "call me"}, "schools[0].contact.phone: bad phone"},
		{"too few digits", Contact{Name: "王主任", Phone: "1-2"}, "at least 3 digits"},
		{"too long", Contact{Name: "王主任", Phone: strings.Repeat("1", 65)}, "longer than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Generate(GenerateOptions{Seed: 1, Schools: 1})
			r.Schools[0].Contact = tt.contact
			err := r.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestGenerateContacts checks that the demo registry gives every school an
// address and a valid contact, that they survive YAML, and that they do
// not disturb the rest of what a seed makes.
func TestGenerateContacts(t *testing.T) {
	r := Generate(GenerateOptions{Seed: 7, Schools: 40})
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	phones := map[string]bool{}
	for _, s := range r.Schools {
		if s.Address == "" || s.Contact.Name == "" || checkPhone(s.Contact.Phone) != "" {
			t.Fatalf("school %s: address %q contact %+v", s.ID, s.Address, s.Contact)
		}
		if !strings.Contains(s.Address, "承德市") {
			t.Errorf("school %s: address %q", s.ID, s.Address)
		}
		phones[s.Contact.Phone] = true
	}
	if len(phones) < 30 {
		t.Errorf("only %d different phones among 40 schools", len(phones))
	}
	var buf bytes.Buffer
	if err := r.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("gen.yaml", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.Schools[3].Contact, r.Schools[3].Contact; got != want {
		t.Errorf("contact after YAML %+v, want %+v", got, want)
	}
	// The contacts come from their own random source: without them the
	// schools are what the seed always made.
	again := Generate(GenerateOptions{Seed: 7, Schools: 40})
	for i := range again.Schools {
		a, b := &again.Schools[i], &r.Schools[i]
		if a.Name != b.Name || a.Pupils != b.Pupils || len(a.Devices) != len(b.Devices) || a.Contact != b.Contact {
			t.Fatalf("school %d differs between two runs of one seed", i)
		}
	}
}

// TestImportCSVContact reads the optional address and contact columns and
// locates a bad phone in its cell.
func TestImportCSVContact(t *testing.T) {
	schools := "id,name,region,type,pupils,boarders,calendar,address,contact_name,contact_phone\n" +
		"cd-0001,双桥区第三小学,130802,primary,1520,,,承德市双桥区新华路 12 号,王主任,0314-2051234\n" +
		"cd-0002,围场县第一中学,130828,secondary,2400,1200,,,,\n"
	devs := "id,school,kind,location,heartbeat_s,post,kitchen,gate\n" +
		"cd-0001-alarm-1,cd-0001,alarm,门卫室,,guardroom,,\n" +
		"cd-0002-alarm-1,cd-0002,alarm,门卫室,,guardroom,,\n"
	r, err := ImportCSV(strings.NewReader(schools), strings.NewReader(devs), ImportOptions{Calendar: DefaultCalendarID})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.School("cd-0001")
	if s.Address != "承德市双桥区新华路 12 号" || s.Contact != (Contact{Name: "王主任", Phone: "0314-2051234"}) {
		t.Errorf("cd-0001: address %q contact %+v", s.Address, s.Contact)
	}
	if s, _ := r.School("cd-0002"); s.Address != "" || s.Contact != (Contact{}) {
		t.Errorf("cd-0002: address %q contact %+v", s.Address, s.Contact)
	}

	bad := strings.Replace(schools, "0314-2051234", "ask the office", 1)
	_, err = ImportCSV(strings.NewReader(bad), strings.NewReader(devs), ImportOptions{Calendar: DefaultCalendarID})
	if err == nil || !strings.Contains(err.Error(), "schools.csv:2:10: contact_phone: bad phone") {
		t.Fatalf("bad phone: %v", err)
	}
}
