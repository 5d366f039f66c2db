package dev.tandem.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.LlamaWeights;
import dev.tandem.engine.LoadedModel;
import dev.tandem.model.ModelConfig;
import dev.tandem.engine.ModelLoader;
import dev.tandem.model.UnsupportedModelException;
import dev.tandem.testing.SharedData;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What is uploaded and how the device model is described, checked without a GPU (pointers are stand-ins). */
class ModelDescriptorTest {

    private static final ModelDescriptor.Layout LAYOUT = new ModelDescriptor.Layout(16, 100, 64, 256, false, true);

    /** Tensors numbered 1.. in upload order stand in for device pointers. */
    private static ModelDescriptor describe(LlamaWeights w, ModelConfig cfg, List<DeviceWeights.Tensor> tensors) {
        IdentityHashMap<Object, Long> fake = new IdentityHashMap<>();
        for (DeviceWeights.Tensor t : tensors) {
            fake.put(t.value(), (long) fake.size() + 1);
        }
        return ModelDescriptor.of(cfg, w, LAYOUT, v -> v == null ? 0 : fake.get(v));
    }

    @Test
    void llamaLayout() {
        try (LoadedModel model = ModelLoader.load(Optional.of(SharedData.model("rand-llama-v512-q8_0.gguf")))) {
            ModelConfig cfg = model.config();
            LlamaWeights w = model.weights();
            List<DeviceWeights.Tensor> tensors = DeviceWeights.tensors(w);
            // Per layer 2 norms and 7 matrices, no biases; embedding, output norm, output.
            assertEquals(3 + 9 * cfg.numLayers(), tensors.size());
            assertEquals(w.layers().getFirst().wq().data().byteSize(), tensors.get(2).bytes(), "attn_q as raw Q8_0 blocks");
            assertEquals((long) cfg.numHeads() * cfg.headDim() * cfg.dim() / 32 * 34, tensors.get(2).bytes());
            ModelDescriptor d = describe(w, cfg, tensors);
            assertEquals(ModelDescriptor.HEAD_INTS + ModelDescriptor.LAYER_INTS * cfg.numLayers(), d.ints().length);
            assertEquals(ModelDescriptor.HEAD_POINTERS + ModelDescriptor.LAYER_POINTERS * cfg.numLayers(), d.pointers().length);
            assertArrayEquals(new int[] {cfg.dim(), cfg.numLayers(), cfg.numHeads(), cfg.numKvHeads(), cfg.headDim(),
                    cfg.hiddenDim(), cfg.vocabSize(), 0, 0, 16, 100, 64, 256, 1}, java.util.Arrays.copyOf(d.ints(), 14));
            for (int i = 16; i < d.ints().length; i++) {
                assertEquals(8, d.ints()[i], "Q8_0's GGML id for every layer matrix");
            }
            long[] p = d.pointers();
            assertNotEquals(p[0], p[1], "untied output");
            assertEquals(0, p[3], "no RoPE factors");
            int l0 = ModelDescriptor.HEAD_POINTERS;
            assertEquals(0, p[l0 + 2] + p[l0 + 3] + p[l0 + 4], "llama has no Q/K/V biases");
            assertEquals(2, p[l0], "attn_norm uploaded right after the embedding");
            assertEquals(cfg.rmsNormEps(), d.floats()[0]);
            assertEquals((float) Math.pow(cfg.ropeTheta(), -2.0f / cfg.headDim()), d.floats()[1]);
        }
    }

    @Test
    void qwen2WithTiedEmbeddingsAndBiases() {
        try (LoadedModel model = ModelLoader.load(Optional.of(SharedData.model("rand-qwen2-gpt2v-tied.gguf")))) {
            LlamaWeights w = model.weights();
            List<DeviceWeights.Tensor> tensors = DeviceWeights.tensors(w);
            assertEquals(1, tensors.stream().filter(t -> t.value() == w.tokenEmbedding()).count(), "the tied output is not uploaded twice");
            ModelDescriptor d = describe(w, model.config(), tensors);
            assertEquals(d.pointers()[0], d.pointers()[1], "output = embedding");
            assertEquals(1, d.ints()[7], "NeoX RoPE");
            int l0 = ModelDescriptor.HEAD_POINTERS;
            assertTrue(d.pointers()[l0 + 2] > 0 && d.pointers()[l0 + 3] > 0 && d.pointers()[l0 + 4] > 0, "Q/K/V biases");
        }
    }

    @Test
    void kQuantsAreRefusedNamingTheTensor() {
        try (LoadedModel model = ModelLoader.load(Optional.of(SharedData.model("rand-llama-v512-q4_k.gguf")))) {
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> DeviceWeights.tensors(model.weights()));
            assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains("tandem.engine.backend=cpu"), e.getMessage());
        }
    }

    @Test
    void activationMemoryGrowsWithTheTokensPerPass() {
        try (LoadedModel model = ModelLoader.load(Optional.empty())) {
            long one = CudaForward.activationBytes(model.config(), 1, 64);
            assertTrue(one > (long) model.config().vocabSize() * Float.BYTES, "at least a row of logits");
            assertEquals(256 * one, CudaForward.activationBytes(model.config(), 256, 64));
        }
    }
}
