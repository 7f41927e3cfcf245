package notify

import (
	"fmt"
	"testing"
)

// BenchmarkSendFullGroupedQueue: Send into a robot receiver whose queue is
// full, so each call groups and sheds one notification.
func BenchmarkSendFullGroupedQueue(b *testing.B) {
	w, _ := NewWebhookNotifier(WebhookOptions{URL: "https://h.example/x", Format: FormatWeCom})
	d, err := NewDispatcher(Options{QueueSize: 10000}, []Route{{Name: "r", Notifier: w, Group: RobotGroup(), Rate: RobotRate()}})
	if err != nil {
		b.Fatal(err)
	}
	ns := make([]Notification, 1000)
	for i := range ns {
		ns[i] = offline(i, fmt.Sprintf("1308%02d", 1+i%30))
	}
	for i := range 10000 {
		d.Send(ns[i%len(ns)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		d.Send(ns[i%len(ns)])
	}
}
