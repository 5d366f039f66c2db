package dev.tandem.frontend.openai;

import java.util.UUID;

/** Response ids in OpenAI's shape: a prefix naming the API and a random hex part. */
public final class ResponseIds {

    private ResponseIds() {
    }

    public static String chat() {
        return "chatcmpl-" + randomHex();
    }

    public static String completion() {
        return "cmpl-" + randomHex();
    }

    private static String randomHex() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
