package devices

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MarshalYAML returns the registry as a YAML node in the layout WriteYAML
// writes: block style for the structure, one flow-style line per region,
// term, window, post, kitchen, guard and device, and flow lists of dates.
// Keys follow the yaml struct tags (omitempty honoured); clock times and
// dates are quoted so that YAML 1.1 readers do not take them for numbers.
func (r *Registry) MarshalYAML() (any, error) {
	return toNode(reflect.ValueOf(*r), false)
}

// WriteYAML writes the registry as one YAML document, indented by two spaces
// (see MarshalYAML for the layout). Parse reads it back unchanged.
func (r *Registry) WriteYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("devices: write registry: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("devices: write registry: %w", err)
	}
	return nil
}

// Building the node tree directly (rather than with yaml.Node.Encode, which
// writes text and parses it again) keeps writing a city-sized registry fast.

var (
	marshalerType = reflect.TypeOf((*yaml.Marshaler)(nil)).Elem()
	clockType     = reflect.TypeOf(ClockTime(0))
	dateType      = reflect.TypeOf(Date{})
	dateListType  = reflect.TypeOf([]Date(nil))
)

// toNode converts a registry value to a node; flow puts it on one line.
func toNode(v reflect.Value, flow bool) (*yaml.Node, error) {
	style := yaml.Style(0)
	if flow {
		style = yaml.FlowStyle
	}
	if v.Type().Implements(marshalerType) {
		out, err := v.Interface().(yaml.Marshaler).MarshalYAML()
		if err != nil {
			return nil, err
		}
		s, ok := out.(string)
		if !ok {
			return nil, fmt.Errorf("devices: %s marshals to %T, want string", v.Type(), out)
		}
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
		if v.Type() == clockType || v.Type() == dateType {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n, nil
	}
	switch v.Kind() {
	case reflect.String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.String()}, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}, nil
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}, nil
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: style}
		if v.Type() == dateListType {
			n.Style = yaml.FlowStyle
		}
		// Lists of structs are written one item per line, except windows,
		// calendars and schools, whose items hold lists themselves.
		itemFlow := v.Type().Elem().Kind() == reflect.Struct && !nested[v.Type().Elem()]
		for i := 0; i < v.Len(); i++ {
			c, err := toNode(v.Index(i), flow || itemFlow)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: style}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() {
				continue
			}
			c, err := toNode(fv, flow)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("devices: cannot write %s as YAML", v.Type())
}

// nested are the struct types whose lists stay in block style.
var nested = map[reflect.Type]bool{
	reflect.TypeOf(Calendar{}):  true,
	reflect.TypeOf(School{}):    true,
	reflect.TypeOf(Windows{}):   true,
	reflect.TypeOf(Timetable{}): true,
}

// WriteYAML writes the year in the holiday file format, one festival a
// line; ParseHolidayFile reads it back unchanged.
func (y *HolidayYear) WriteYAML(w io.Writer) error {
	n, err := toNode(reflect.ValueOf(*y), false)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return fmt.Errorf("devices: write holiday year: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("devices: write holiday year: %w", err)
	}
	return nil
}
