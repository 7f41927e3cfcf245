package devices

import "encoding/binary"

// interner makes equal strings of a registry share one copy. Region codes,
// school types, calendar ids, post, kitchen and gate names, device kinds
// and locations repeat across thousands of schools; yaml.v3 allocates each
// anew. Ids are unique and are not interned. Equal daily windows (most
// schools keep the defaults of their type) share their lists too: a loaded
// registry's Windows are read-only.
type interner struct {
	strs    map[string]string
	windows map[string]Windows
	key     []byte
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, windows: map[string]Windows{}}
}

func (in *interner) str(s *string) {
	if *s == "" {
		return
	}
	if v, ok := in.strs[*s]; ok {
		*s = v
		return
	}
	in.strs[*s] = *s
}

// shareWindows replaces w's lists with an equal set seen before.
func (in *interner) shareWindows(w *Windows) {
	k := in.key[:0]
	for _, ws := range [][]Window{w.Gate, w.Peaks, w.Meals} {
		if ws == nil {
			k = append(k, 'n')
		}
		for _, x := range ws {
			k = binary.AppendVarint(k, int64(x.Start))
			k = binary.AppendVarint(k, int64(x.End))
			k = binary.AppendUvarint(k, uint64(len(x.Name)))
			k = append(k, x.Name...)
		}
		k = append(k, '|')
	}
	in.key = k
	if v, ok := in.windows[string(k)]; ok {
		*w = v
		return
	}
	// Capacity clipped to length: an append to one school's list (a test
	// building a registry by hand) copies instead of writing into a list
	// another school shares.
	w.Gate, w.Peaks, w.Meals = clip(w.Gate), clip(w.Peaks), clip(w.Meals)
	in.windows[string(k)] = *w
}

func clip(ws []Window) []Window { return ws[:len(ws):len(ws)] }

func (in *interner) school(s *School) {
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
	in.shareWindows(&s.Windows)
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
