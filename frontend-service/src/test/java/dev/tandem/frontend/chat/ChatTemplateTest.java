package dev.tandem.frontend.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.frontend.openai.OpenAiException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** meta-llama/Llama-2-7b-chat-hf's tokenizer_config.json chat_template, JSON-unescaped. */
    static final String LLAMA_2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            + "{% endif %}{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private static ChatTemplate template(String source) {
        return new ChatTemplate(Optional.of(source), "<s>", "</s>");
    }

    private static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    @Test
    void fallbackRendersOneMessageAsExactlyItsContent() {
        ChatTemplate fallback = new ChatTemplate(Optional.empty(), "<s>", "</s>");
        assertEquals("Once upon a time", fallback.render(List.of(user("Once upon a time")), true));
    }

    @Test
    void fallbackJoinsContentsWithNewlinesAndNothingElse() {
        ChatTemplate fallback = new ChatTemplate(Optional.empty(), "<s>", "</s>");
        assertEquals("Be brief.\nHi\n\nHello", fallback.render(List.of(new ChatMessage("system", "Be brief."),
                user("Hi"), new ChatMessage("assistant", null), new ChatMessage("assistant", "Hello")), false));
    }

    @Test
    void chatMl() {
        List<ChatMessage> messages = List.of(new ChatMessage("system", "You are terse."), user("Hi"));
        String conversation = "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n";
        assertEquals(conversation + "<|im_start|>assistant\n", template(CHATML).render(messages, true));
        assertEquals(conversation, template(CHATML).render(messages, false));
    }

    @Test
    void developerIsRenderedAsSystem() {
        assertEquals("<|im_start|>system\nRules<|im_end|>\n",
                template(CHATML).render(List.of(new ChatMessage("developer", "Rules")), false));
    }

    @Test
    void llama2WithSystemPromptAndHistory() {
        List<ChatMessage> messages = List.of(
                new ChatMessage("system", "Be kind."),
                user("Hi"),
                new ChatMessage("assistant", "Hello!\n"),
                user(" Tell me a story. "));
        assertEquals("<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Tell me a story. [/INST]",
                template(LLAMA_2).render(messages, true));
    }

    @Test
    void llama2WithoutSystemPrompt() {
        assertEquals("<s>[INST] Hi [/INST]", template(LLAMA_2).render(List.of(user("Hi")), true));
    }

    @Test
    void llama2RejectsNonAlternatingRolesWithItsOwnMessage() {
        OpenAiException error = assertThrows(OpenAiException.class,
                () -> template(LLAMA_2).render(List.of(user("a"), user("b")), true));
        assertEquals(400, error.status());
        assertEquals("messages", error.param());
        assertEquals("chat template failed: Conversation roles must alternate user/assistant/user/assistant/...",
                error.getMessage());
    }

    @Test
    void brokenTemplatesAreBadRequests() {
        for (String broken : List.of(
                "{% for message in messages %}{{ message.content }",
                "{% bogus %}",
                "{{ messages[0].content.nomethod() }}",
                "{{ no_such_function() }}")) {
            OpenAiException error = assertThrows(OpenAiException.class,
                    () -> template(broken).render(List.of(user("a")), true), broken);
            assertEquals(400, error.status(), broken);
            assertEquals("messages", error.param(), broken);
            assertTrue(error.getMessage().startsWith("chat template failed: "), error.getMessage());
        }
    }

    @Test
    void behavesLikeTransformersJinjaEnvironment() {
        // trim_blocks + lstrip_blocks, and the source's single trailing newline dropped.
        String source = """
                {% for message in messages %}
                    {% if message.role == 'user' %}
                U: {{ message.content }}
                    {% endif %}
                {% endfor %}
                END
                """;
        assertEquals("U: a\nU: b\nEND", template(source).render(List.of(user("a"), user("b")), false));
    }

    @Test
    void pythonStringMethodsAndTojson() {
        String source = "{{ messages[0].content.lstrip() }}|{{ messages[0].content.rstrip() }}|"
                + "{{ messages[0].content.strip(' x') }}|{{ messages[0].role.upper() }}|"
                + "{{ messages[0].role.startswith('us') }}|{{ messages[0].role.endswith('x') }}|"
                + "{{ 'a b c'.title() }}|{{ 'a,b,,c'.split(',') | length }}|{{ ' a  b '.split() | join('+') }}|"
                + "{{ messages[0].content | tojson }}";
        assertEquals("x hi | x hi|hi|USER|True|False|A B C|4|a+b|\" x hi \"",
                template(source).render(List.of(user(" x hi ")), false));
    }

    @Test
    void undefinedVariablesRenderEmptyAsInJinja() {
        assertEquals("[]no tools", template("[{{ tools }}]{% if tools is defined %}tools{% else %}no tools{% endif %}")
                .render(List.of(user("a")), false));
    }

    @Test
    void rendersConcurrentlyFromOneParsedTemplate() throws Exception {
        ChatTemplate chatMl = template(CHATML);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> renders = IntStream.range(0, 400)
                    .<Callable<Boolean>>mapToObj(i -> () -> chatMl.render(List.of(user("m" + i)), false)
                            .equals("<|im_start|>user\nm" + i + "<|im_end|>\n"))
                    .toList();
            for (Future<Boolean> rendered : pool.invokeAll(renders)) {
                assertTrue(rendered.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
