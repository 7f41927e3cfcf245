package devices

import (
	"fmt"
	"math/rand/v2"
	"unicode/utf8"
)

// Contact is a person to call about a school and their phone number.
// Either both or neither are given. The phone is free text of digits,
// spaces and "+-()" (e.g. "0314-2051234" or "138 0314 5678"), at least
// 3 digits.
type Contact struct {
	Name  string `yaml:"name"`
	Phone string `yaml:"phone"`
}

// maxContactLen bounds the contact's name and phone (in characters).
const maxContactLen = 64

// contact checks a school's contact (path p): empty, or a name and a
// phone number.
func (c *checker) contact(p string, k Contact) {
	if k == (Contact{}) {
		return
	}
	switch {
	case k.Name == "":
		c.add(p+".name", "missing contact name (the phone %q needs a name)", k.Phone)
	case utf8.RuneCountInString(k.Name) > maxContactLen:
		c.add(p+".name", "contact name longer than %d characters", maxContactLen)
	}
	if k.Phone == "" {
		c.add(p+".phone", "missing contact phone")
		return
	}
	if err := checkPhone(k.Phone); err != "" {
		c.add(p+".phone", "bad phone %q: %s", k.Phone, err)
	}
}

// checkPhone returns what is wrong with phone, "" when nothing.
func checkPhone(phone string) string {
	if len(phone) > maxContactLen {
		return fmt.Sprintf("longer than %d characters", maxContactLen)
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			return fmt.Sprintf("%q is not a digit, space or +-()", r)
		}
	}
	if digits < 3 {
		return "want at least 3 digits"
	}
	return ""
}

// Demo contacts (Generate): a plausible duty contact per school, drawn
// from their own random source so that adding them changes nothing else
// a seed makes.
var (
	contactSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "于"}
	contactTitles   = []string{"主任", "干事", "处长", "校长", "老师"}
	streetSuffixes  = []string{"路", "街", "大街", "东路", "西路"}
)

// demoContact returns the demo address and contact of school number i
// (from 1) in region g.
func demoContact(seed uint64, i int, g *regionProfile) (string, Contact) {
	rng := rand.New(rand.NewPCG(seed^0x636f6e74616374, uint64(i)))
	town := g.towns[rng.IntN(len(g.towns))]
	street := town
	if utf8.RuneCountInString(town) > 2 {
		street = string([]rune(town)[:2])
	}
	addr := fmt.Sprintf("河北省承德市%s%s%s%d号", g.short, street, streetSuffixes[rng.IntN(len(streetSuffixes))], 1+rng.IntN(300))
	name := contactSurnames[rng.IntN(len(contactSurnames))] + contactTitles[rng.IntN(len(contactTitles))]
	phone := fmt.Sprintf("13%d %04d %04d", 3+rng.IntN(7), rng.IntN(10000), rng.IntN(10000))
	return addr, Contact{Name: name, Phone: phone}
}
