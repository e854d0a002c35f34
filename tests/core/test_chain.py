from aftersales.core.chain import GENESIS, Break, Link, history_breaks, link_hash, verify


def chain(payloads):
    links, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        h = link_hash(prev, payload)
        links.append(Link(seq, prev, h, payload))
        prev = h
    return links


def test_it_accepts_an_intact_chain():
    assert verify(chain([{"a": 1}, {"b": "认证"}, {"c": [1, 2]}])) == []


def test_it_finds_a_changed_event_and_names_it():
    links = chain([{"a": 1}, {"b": 2}, {"c": 3}])
    links[1] = Link(2, links[1].prev_hash, links[1].hash, {"b": 3})
    assert [(b.seq, b.reason) for b in verify(links)] == [(2, "hash")]


def test_it_finds_a_removed_event():
    links = chain([{"a": 1}, {"b": 2}, {"c": 3}])
    del links[1]
    assert {(b.seq, b.reason) for b in verify(links)} == {(3, "seq"), (3, "prev_hash")}


def test_the_hash_does_not_depend_on_key_order():
    assert link_hash(GENESIS, {"a": 1, "b": 2}) == link_hash(GENESIS, {"b": 2, "a": 1})


def test_it_finds_a_head_that_does_not_point_at_the_last_event():
    links = chain([{"a": 1}, {"b": 2}])
    assert history_breaks(links, head_hash=links[-1].hash, event_count=2) == []
    # the last event deleted and the count moved back, the head hash left: a "head" break
    assert history_breaks(links[:1], head_hash=links[-1].hash, event_count=1) == [Break(1, "head")]
    assert history_breaks([], head_hash="", event_count=0) == []
    assert history_breaks([], head_hash="", event_count=1) == [Break(1, "head")]
