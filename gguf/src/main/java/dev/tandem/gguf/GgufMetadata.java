package dev.tandem.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * GGUF key/value metadata. Values are stored as plain Java objects:
 * <ul>
 *   <li>integers as {@link Integer} (8/16-bit and int32) or {@link Long} (uint32, 64-bit),</li>
 *   <li>FLOAT32 as {@link Float}, FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as {@link String},</li>
 *   <li>arrays as primitive arrays ({@code byte[] short[] int[] long[] float[] double[] boolean[]}), {@code String[]},
 *       or {@code Object[]} for nested arrays. Unsigned array elements keep their bits.</li>
 * </ul>
 * The typed getters convert between numeric widths so callers need not care whether a writer used
 * uint32 or int32 for a count.
 */
public final class GgufMetadata {

    private final Map<String, Object> values;
    private final Map<String, GgufValueType> types;

    private GgufMetadata(Map<String, Object> values, Map<String, GgufValueType> types) {
        this.values = Collections.unmodifiableMap(values);
        this.types = Collections.unmodifiableMap(types);
    }

    /** Builds metadata in memory (used by the synthetic model, which has no file). */
    public static GgufMetadata of(Map<String, Object> values) {
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        values.forEach((k, v) -> types.put(k, typeOf(v)));
        return new GgufMetadata(new LinkedHashMap<>(values), types);
    }

    private static GgufValueType typeOf(Object v) {
        return switch (v) {
            case String s -> GgufValueType.STRING;
            case Boolean b -> GgufValueType.BOOL;
            case Float f -> GgufValueType.FLOAT32;
            case Double d -> GgufValueType.FLOAT64;
            case Long l -> GgufValueType.INT64;
            case Number n -> GgufValueType.INT32;
            default -> GgufValueType.ARRAY;
        };
    }

    static GgufMetadata read(GgufReader in, int count) throws GgufFormatException {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = in.string("metadata key #" + i);
            GgufValueType type = valueType(in.i32("value type of '" + key + "'"), key);
            Object value = readValue(in, type, key, 0);
            if (values.putIfAbsent(key, value) != null) {
                throw new GgufFormatException("duplicate metadata key '" + key + "'");
            }
            types.put(key, type);
        }
        return new GgufMetadata(values, types);
    }

    private static GgufValueType valueType(int id, String key) throws GgufFormatException {
        GgufValueType type = GgufValueType.byId(id);
        if (type == null) {
            throw new GgufFormatException("metadata '" + key + "' has unknown value type " + id);
        }
        return type;
    }

    private static Object readValue(GgufReader in, GgufValueType type, String key, int depth) throws GgufFormatException {
        String what = "value of '" + key + "'";
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(in.i8(what));
            case INT8 -> (int) in.i8(what);
            case UINT16 -> Short.toUnsignedInt(in.i16(what));
            case INT16 -> (int) in.i16(what);
            case UINT32 -> Integer.toUnsignedLong(in.i32(what));
            case INT32 -> in.i32(what);
            case FLOAT32 -> in.f32(what);
            case BOOL -> in.i8(what) != 0;
            case STRING -> in.string(what);
            case UINT64, INT64 -> in.i64(what);
            case FLOAT64 -> in.f64(what);
            case ARRAY -> readArray(in, key, depth);
        };
    }

    private static Object readArray(GgufReader in, String key, int depth) throws GgufFormatException {
        if (depth > 8) {
            throw new GgufFormatException("metadata '" + key + "' nests arrays too deeply");
        }
        GgufValueType type = valueType(in.i32("array element type of '" + key + "'"), key);
        int n = in.count("array length of '" + key + "'", type.minBytes());
        String what = "array '" + key + "'";
        switch (type) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) a[i] = in.i8(what);
                return a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) a[i] = in.i16(what);
                return a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = in.i32(what);
                return a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = in.i64(what);
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = in.f32(what);
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = in.f64(what);
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = in.i8(what) != 0;
                return a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) a[i] = in.string(what);
                return a;
            }
            case ARRAY -> {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) a[i] = readArray(in, key, depth + 1);
                return a;
            }
            default -> throw new AssertionError(type);
        }
    }

    /** All keys in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Raw values by key (see the class comment for the Java types). */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The value type as declared in the file (element types of arrays are not kept). */
    public GgufValueType type(String key) {
        return types.get(key);
    }

    public Object get(String key) {
        return values.get(key);
    }

    public Optional<String> getString(String key) {
        return values.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    public String requireString(String key) {
        return getString(key).orElseThrow(() -> missing(key, "string"));
    }

    public long getLong(String key) {
        if (values.get(key) instanceof Number n && !(n instanceof Float) && !(n instanceof Double)) {
            return n.longValue();
        }
        throw missing(key, "integer");
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return contains(key) ? getInt(key) : defaultValue;
    }

    public OptionalInt optionalInt(String key) {
        return contains(key) ? OptionalInt.of(getInt(key)) : OptionalInt.empty();
    }

    public float getFloat(String key, float defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw missing(key, "number");
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw missing(key, "bool");
    }

    public Optional<String[]> getStringArray(String key) {
        return values.get(key) instanceof String[] a ? Optional.of(a) : Optional.empty();
    }

    public Optional<float[]> getFloatArray(String key) {
        return values.get(key) instanceof float[] a ? Optional.of(a) : Optional.empty();
    }

    /** An integer array widened to int (8/16/32-bit element types; unsigned 8/16-bit stay positive). */
    public Optional<int[]> getIntArray(String key) {
        Object v = values.get(key);
        if (v instanceof int[] a) {
            return Optional.of(a);
        }
        if (v instanceof byte[] a) {
            int[] r = new int[a.length];
            for (int i = 0; i < a.length; i++) r[i] = a[i];
            return Optional.of(r);
        }
        if (v instanceof short[] a) {
            int[] r = new int[a.length];
            for (int i = 0; i < a.length; i++) r[i] = a[i];
            return Optional.of(r);
        }
        return Optional.empty();
    }

    private static IllegalArgumentException missing(String key, String kind) {
        return new IllegalArgumentException("metadata '" + key + "' is missing or not a " + kind);
    }
}
