package sim

import "context"

// Publisher sends one MQTT message. It is narrow so that tests use a fake.
// Publish may block (backpressure) and must return once ctx ends. payload
// is only valid during the call: an implementation that keeps it must copy
// it.
type Publisher interface {
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error

// Publish calls f.
func (f PublisherFunc) Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error {
	return f(ctx, topic, qos, retained, payload)
}
