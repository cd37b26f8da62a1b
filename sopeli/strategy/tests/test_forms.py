from sopeli.strategy.forms import safe_capfirst


def test_labels_never_turn_georgian_into_mtavruli():
    assert safe_capfirst("სათაური") == "სათაური"
    assert safe_capfirst("title") == "Title"
    assert safe_capfirst("") == ""
