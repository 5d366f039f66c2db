package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChoiceIdsTest {

    @Test
    void choiceZeroKeepsTheRequestIdTheOthersAddTheirIndex() {
        assertEquals("req", ChoiceIds.of("req", 0));
        assertEquals("req-3", ChoiceIds.of("req", 3));
    }

    @Test
    void aChoiceIdBelongsToItsRequestOnlyWithinItsChoices() {
        assertTrue(ChoiceIds.belongsTo("req", "req", 1));
        assertTrue(ChoiceIds.belongsTo("req-1", "req", 4));
        assertTrue(ChoiceIds.belongsTo("req-3", "req", 4));
        assertFalse(ChoiceIds.belongsTo("req-4", "req", 4));
        assertFalse(ChoiceIds.belongsTo("req-1", "req", 1));
        assertFalse(ChoiceIds.belongsTo("req-01", "req", 4));
        assertFalse(ChoiceIds.belongsTo("req-x", "req", 4));
        assertFalse(ChoiceIds.belongsTo("req-", "req", 4));
        assertFalse(ChoiceIds.belongsTo("reqs-1", "req", 4));
        assertFalse(ChoiceIds.belongsTo("other", "req", 4));
        assertFalse(ChoiceIds.belongsTo("req-99999999999", "req", 128));
    }
}
