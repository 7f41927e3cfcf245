package devices

// interner makes equal strings of a registry share one copy. Region codes,
// school types, calendar ids, post, kitchen and gate names, device kinds
// and locations repeat across thousands of schools; yaml.v3 allocates each
// anew. Ids are unique and are not interned.
type interner map[string]string

func newInterner() interner { return interner{} }

func (in interner) str(s *string) {
	if *s == "" {
		return
	}
	if v, ok := in[*s]; ok {
		*s = v
		return
	}
	in[*s] = *s
}

func (in interner) school(s *School) {
	in.str(&s.Region)
	t := string(s.Type)
	in.str(&t)
	s.Type = SchoolType(t)
	in.str(&s.Calendar)
	in.str(&s.Contact.Name)
	for _, ws := range [][]Window{s.Windows.Gate, s.Windows.Peaks, s.Windows.Meals} {
		for i := range ws {
			in.str(&ws[i].Name)
		}
	}
	for i := range s.Posts {
		in.str(&s.Posts[i].ID)
		in.str(&s.Posts[i].Name)
	}
	for i := range s.Kitchens {
		in.str(&s.Kitchens[i].ID)
		in.str(&s.Kitchens[i].Name)
	}
	for i := range s.Guards {
		in.str(&s.Guards[i].Company)
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		k := string(d.Kind)
		in.str(&k)
		d.Kind = Kind(k)
		in.str(&d.Location)
		in.str(&d.Post)
		in.str(&d.Kitchen)
		in.str(&d.Gate)
	}
}
