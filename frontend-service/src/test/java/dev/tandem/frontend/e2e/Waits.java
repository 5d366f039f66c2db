package dev.tandem.frontend.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.awaitility.core.ConditionTimeoutException;

/** Condition waits whose timeout is no failure by itself: the assertions after them say what was missing. */
final class Waits {

    private Waits() {
    }

    /** Polls {@code condition} every {@code poll} until it holds or {@code atMost} has passed; says which. */
    static boolean within(Duration atMost, Duration poll, Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(poll).until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }
}
