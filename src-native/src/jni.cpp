// JNI glue for dev.tandem.engine.cuda.CudaNative: argument marshalling and error mapping only.
// Every failure becomes a dev.tandem.engine.cuda.CudaException(int cudaError, String message).
#include <jni.h>

#include <vector>

#include "engine.h"

using namespace tandem;

namespace {

constexpr int UNKNOWN_ERROR = 999;  // cudaErrorUnknown, for failures that are not CUDA errors

void throw_java(JNIEnv* env, int code, const char* message) {
    if (env->ExceptionCheck()) return;
    jclass cls = env->FindClass("dev/tandem/engine/cuda/CudaException");
    if (!cls) return;  // NoClassDefFoundError pending
    jmethodID ctor = env->GetMethodID(cls, "<init>", "(ILjava/lang/String;)V");
    if (!ctor) return;
    jstring msg = env->NewStringUTF(message);
    jobject ex = env->NewObject(cls, ctor, (jint)code, msg);
    if (ex) env->Throw(static_cast<jthrowable>(ex));
}

// Runs f, turning C++ exceptions into the Java exception; returns fallback then.
template <typename R, typename F>
R guarded(JNIEnv* env, R fallback, F f) {
    try {
        return f();
    } catch (const CudaError& e) {
        throw_java(env, e.code, e.what());
    } catch (const std::exception& e) {
        throw_java(env, UNKNOWN_ERROR, e.what());
    }
    return fallback;
}

std::vector<jint> ints(JNIEnv* env, jintArray a) {
    std::vector<jint> v(env->GetArrayLength(a));
    env->GetIntArrayRegion(a, 0, (jsize)v.size(), v.data());
    return v;
}

Weight weight(jlong ptr, jint type) { return Weight{reinterpret_cast<const void*>(ptr), type}; }

const float* floats_at(jlong ptr) { return reinterpret_cast<const float*>(ptr); }

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL Java_dev_tandem_engine_cuda_CudaNative_runtimeVersion(JNIEnv*, jclass) {
    return runtime_version();
}

JNIEXPORT jstring JNICALL Java_dev_tandem_engine_cuda_CudaNative_architectures(JNIEnv* env, jclass) {
    return env->NewStringUTF(architectures());
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_setDevice(JNIEnv* env, jclass, jint device) {
    guarded(env, 0, [&] { set_device(device); return 0; });
}

JNIEXPORT jlong JNICALL Java_dev_tandem_engine_cuda_CudaNative_malloc(JNIEnv* env, jclass, jlong bytes) {
    return guarded(env, (jlong)0, [&] { return (jlong)device_alloc((size_t)bytes); });
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_free(JNIEnv*, jclass, jlong ptr) {
    device_free(reinterpret_cast<void*>(ptr));
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_upload(JNIEnv* env, jclass, jlong dst, jlong host,
                                                                         jlong bytes) {
    guarded(env, 0, [&] {
        upload(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(host), (size_t)bytes);
        return 0;
    });
}

JNIEXPORT jdouble JNICALL Java_dev_tandem_engine_cuda_CudaNative_copyBandwidth(JNIEnv* env, jclass, jlong bytes,
                                                                                   jint repeats) {
    return guarded(env, 0.0, [&] { return copy_bandwidth((size_t)bytes, repeats); });
}

// The descriptor's layout is written by dev.tandem.engine.cuda.ModelDescriptor; keep both in step.
JNIEXPORT jlong JNICALL Java_dev_tandem_engine_cuda_CudaNative_createModel(JNIEnv* env, jclass, jintArray jints,
                                                                               jfloatArray jfloats, jlongArray jptrs) {
    return guarded(env, (jlong)0, [&] {
        std::vector<jint> i = ints(env, jints);
        std::vector<jfloat> f(env->GetArrayLength(jfloats));
        env->GetFloatArrayRegion(jfloats, 0, (jsize)f.size(), f.data());
        std::vector<jlong> p(env->GetArrayLength(jptrs));
        env->GetLongArrayRegion(jptrs, 0, (jsize)p.size(), p.data());
        constexpr int HEAD_INTS = 16, LAYER_INTS = 7, HEAD_PTRS = 4, LAYER_PTRS = 12;
        ModelDesc d{};
        d.dim = i[0]; d.layers = i[1]; d.heads = i[2]; d.kv_heads = i[3]; d.head_dim = i[4]; d.ff = i[5]; d.vocab = i[6];
        d.neox = i[7]; d.half_kv = i[8]; d.block_size = i[9]; d.num_blocks = i[10]; d.table_stride = i[11];
        d.max_tokens = i[12]; d.graphs = i[13];
        if (i.size() != (size_t)(HEAD_INTS + LAYER_INTS * d.layers) || p.size() != (size_t)(HEAD_PTRS + LAYER_PTRS * d.layers)
            || f.size() != 3) {
            throw CudaError(UNKNOWN_ERROR, "malformed model descriptor");
        }
        d.eps = f[0]; d.theta_scale = f[1]; d.freq_scale = f[2];
        d.embedding = weight(p[0], i[14]);
        d.output = weight(p[1], i[15]);
        d.output_norm = floats_at(p[2]);
        d.freq_factors = floats_at(p[3]);
        std::vector<LayerDesc> layers(d.layers);
        for (int l = 0; l < d.layers; l++) {
            const jint* t = &i[HEAD_INTS + LAYER_INTS * l];
            const jlong* q = &p[HEAD_PTRS + LAYER_PTRS * l];
            layers[l] = LayerDesc{floats_at(q[0]), floats_at(q[1]), floats_at(q[2]), floats_at(q[3]), floats_at(q[4]),
                                  weight(q[5], t[0]), weight(q[6], t[1]), weight(q[7], t[2]), weight(q[8], t[3]),
                                  weight(q[9], t[4]), weight(q[10], t[5]), weight(q[11], t[6])};
        }
        d.layer = layers.data();
        return (jlong)model_create(d);
    });
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_destroyModel(JNIEnv*, jclass, jlong model) {
    model_destroy(reinterpret_cast<Model*>(model));
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_forward(JNIEnv* env, jclass, jlong model, jint n,
                                                                          jintArray jtokens, jintArray jpositions,
                                                                          jintArray jtables, jint stride, jintArray jwant,
                                                                          jint wanted, jboolean prompt,
                                                                          jobjectArray jlogits, jintArray jgreedy) {
    guarded(env, 0, [&] {
        Model* m = reinterpret_cast<Model*>(model);
        std::vector<jint> tokens = ints(env, jtokens), positions = ints(env, jpositions), tables = ints(env, jtables),
                          want = ints(env, jwant);
        if ((jint)tokens.size() < n || (jint)positions.size() < n || (jint)tables.size() < n * stride ||
            (jint)want.size() < wanted) {
            throw CudaError(UNKNOWN_ERROR, "forward: input arrays shorter than the batch");
        }
        std::vector<jint> greedy(jgreedy ? wanted : 0);
        model_forward(m, n, tokens.data(), positions.data(), tables.data(), stride, want.data(), wanted, prompt,
                      jlogits != nullptr, jgreedy ? greedy.data() : nullptr);
        if (jgreedy) env->SetIntArrayRegion(jgreedy, 0, wanted, greedy.data());
        if (jlogits) {
            int vocab = model_vocab(m);
            const float* h = model_logits(m);
            for (int j = 0; j < wanted; j++) {
                jfloatArray row = static_cast<jfloatArray>(env->GetObjectArrayElement(jlogits, j));
                env->SetFloatArrayRegion(row, 0, vocab, h + (size_t)j * vocab);
                env->DeleteLocalRef(row);
                if (env->ExceptionCheck()) break;
            }
        }
        return 0;
    });
}

JNIEXPORT jlong JNICALL Java_dev_tandem_engine_cuda_CudaNative_kvStaging(JNIEnv*, jclass, jlong model) {
    return (jlong)model_kv_staging(reinterpret_cast<Model*>(model));
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_kvRead(JNIEnv* env, jclass, jlong model, jint block,
                                                                         jint tokens) {
    guarded(env, 0, [&] {
        model_kv_read(reinterpret_cast<Model*>(model), block, tokens);
        return 0;
    });
}

JNIEXPORT void JNICALL Java_dev_tandem_engine_cuda_CudaNative_kvWrite(JNIEnv* env, jclass, jlong model, jint block,
                                                                          jint tokens) {
    guarded(env, 0, [&] {
        model_kv_write(reinterpret_cast<Model*>(model), block, tokens);
        return 0;
    });
}

}  // extern "C"
