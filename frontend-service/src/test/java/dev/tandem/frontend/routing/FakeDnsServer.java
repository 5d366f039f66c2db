package dev.tandem.frontend.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server on a loopback UDP port that answers A queries from a table the test changes, the way a cluster
 * DNS answers for a headless Service as pods come and go. Unknown names get NXDOMAIN.
 */
final class FakeDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, List<String>> records = new ConcurrentHashMap<>();
    private final Thread thread;

    FakeDnsServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = Thread.ofPlatform().daemon().name("fake-dns").start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The IPv4 addresses the name resolves to from now on. */
    void answer(String name, List<String> ipv4) {
        records.put(name.toLowerCase(Locale.ROOT), List.copyOf(ipv4));
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] reply = reply(Arrays.copyOf(packet.getData(), packet.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a query this server does not understand: the client times out
            }
        }
    }

    private byte[] reply(byte[] query) {
        // the question starts after the 12-byte header: labels, a zero byte, then type and class
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (query[at] != 0) {
            int length = query[at];
            name.append(name.isEmpty() ? "" : ".").append(new String(query, at + 1, length));
            at += length + 1;
        }
        int questionEnd = at + 5;
        int type = ((query[at + 1] & 0xff) << 8) | (query[at + 2] & 0xff);
        List<String> addresses = records.get(name.toString().toLowerCase(Locale.ROOT));
        List<String> answers = addresses == null || type != 1 ? List.of() : addresses;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x81); // response, recursion desired
        out.write(addresses == null ? 0x83 : 0x80); // recursion available; NXDOMAIN for unknown names
        u16(out, 1);
        u16(out, answers.size());
        u16(out, 0);
        u16(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (String address : answers) {
            u16(out, 0xc00c); // the name: a pointer to the question's
            u16(out, 1); // A
            u16(out, 1); // IN
            u16(out, 0);
            u16(out, 1); // TTL 1 s
            u16(out, 4);
            out.writeBytes(ipv4(address));
        }
        return out.toByteArray();
    }

    private static byte[] ipv4(String address) {
        String[] parts = address.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(1000);
    }
}
