package dev.tandem.structured;

import dev.tandem.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A vocabulary's tokens by their bytes, as a trie: walking the automaton down the trie visits each shared prefix
 * once and drops a whole subtree at the first byte the automaton refuses. Tokens without bytes (control tokens)
 * are left out; end-of-generation tokens are listed apart. Immutable; build once per vocabulary.
 */
public final class TokenIndex {

    final int vocabSize;
    final int[] endOfGeneration;
    // Node i's children are childByte/childNode[childStart[i] .. childStart[i+1]); its tokens likewise.
    final int[] childStart;
    final byte[] childByte;
    final int[] childNode;
    final int[] tokenStart;
    final int[] tokenIds;
    final int nodes;
    final int maxTokenBytes;
    final byte[][] bytes;

    private TokenIndex(int vocabSize, byte[][] bytes, int[] endOfGeneration) {
        this.vocabSize = vocabSize;
        this.bytes = bytes;
        this.endOfGeneration = endOfGeneration;
        // Sort the tokens by their bytes; the trie's nodes are then laid out breadth by depth-first order.
        Integer[] order = new Integer[vocabSize];
        int count = 0;
        int longest = 0;
        for (int id = 0; id < vocabSize; id++) {
            if (bytes[id].length > 0) {
                order[count++] = id;
                longest = Math.max(longest, bytes[id].length);
            }
        }
        maxTokenBytes = longest;
        Integer[] sorted = Arrays.copyOf(order, count);
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        // Build with growable lists: node 0 is the root.
        List<int[]> children = new ArrayList<>(); // per node: pairs (byte, child) packed
        List<int[]> tokens = new ArrayList<>();
        children.add(new int[0]);
        tokens.add(new int[0]);
        int[] path = new int[longest + 1];
        byte[] previous = new byte[0];
        for (int id : sorted) {
            byte[] t = bytes[id];
            int common = 0;
            while (common < previous.length && common < t.length && previous[common] == t[common]) {
                common++;
            }
            int node = path[common];
            for (int i = common; i < t.length; i++) {
                int child = children.size();
                children.add(new int[0]);
                tokens.add(new int[0]);
                int[] c = children.get(node);
                int[] grown = Arrays.copyOf(c, c.length + 2);
                grown[c.length] = t[i] & 0xFF;
                grown[c.length + 1] = child;
                children.set(node, grown);
                node = child;
                path[i + 1] = node;
            }
            int[] k = tokens.get(node);
            int[] grown = Arrays.copyOf(k, k.length + 1);
            grown[k.length] = id;
            tokens.set(node, grown);
            previous = t;
        }
        nodes = children.size();
        childStart = new int[nodes + 1];
        tokenStart = new int[nodes + 1];
        int edges = 0;
        int listed = 0;
        for (int i = 0; i < nodes; i++) {
            childStart[i] = edges;
            tokenStart[i] = listed;
            edges += children.get(i).length / 2;
            listed += tokens.get(i).length;
        }
        childStart[nodes] = edges;
        tokenStart[nodes] = listed;
        childByte = new byte[edges];
        childNode = new int[edges];
        tokenIds = new int[listed];
        for (int i = 0; i < nodes; i++) {
            int[] c = children.get(i);
            for (int j = 0; j < c.length / 2; j++) {
                childByte[childStart[i] + j] = (byte) c[2 * j];
                childNode[childStart[i] + j] = c[2 * j + 1];
            }
            int[] k = tokens.get(i);
            System.arraycopy(k, 0, tokenIds, tokenStart[i], k.length);
        }
    }

    public static TokenIndex of(Tokenizer tokenizer) {
        int n = tokenizer.vocabSize();
        byte[][] bytes = new byte[n][];
        List<Integer> eog = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            boolean end = tokenizer.isEndOfGeneration(id);
            bytes[id] = end ? new byte[0] : tokenizer.tokenBytes(id);
            if (end) {
                eog.add(id);
            }
        }
        return new TokenIndex(n, bytes, eog.stream().mapToInt(Integer::intValue).toArray());
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Trie nodes (shared byte prefixes), for the README's figures. */
    public int trieNodes() {
        return nodes;
    }

    byte[] bytes(int id) {
        return bytes[id];
    }

    boolean isEndOfGeneration(int id) {
        for (int e : endOfGeneration) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }
}
