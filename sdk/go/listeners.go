package nexus

// listeners are the callbacks of one kind registered on a subscription, called in the order
// registered. The subscription's mutex guards them.
type listeners[T any] struct {
	funcs map[int]func(T)
	next  int
}

// add registers f and returns its id for remove.
func (l *listeners[T]) add(f func(T)) int {
	if l.funcs == nil {
		l.funcs = map[int]func(T){}
	}
	id := l.next
	l.next++
	l.funcs[id] = f
	return id
}

func (l *listeners[T]) remove(id int) { delete(l.funcs, id) }

// snapshot returns the registered callbacks in registration order, to call without the lock.
func (l *listeners[T]) snapshot() []func(T) {
	out := make([]func(T), 0, len(l.funcs))
	for id := 0; id < l.next; id++ {
		if f, ok := l.funcs[id]; ok {
			out = append(out, f)
		}
	}
	return out
}
