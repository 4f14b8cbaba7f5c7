using System.Buffers.Text;

namespace Scalpaiboard.Ingest.Model;

/// <summary>
/// Doubles as JSON numbers, the same text <see cref="System.Text.Json.Utf8JsonWriter"/> writes (the shortest
/// decimal that reads back as the same double), several times faster: for 1e-4 &lt;= |v| &lt; 1e15 (prices,
/// volumes, indicators) the shortest digits come from exact 128-bit integer arithmetic on the binary value (the
/// interval of decimals that round to it, narrowed digit by digit); other values use the runtime's formatter.
/// </summary>
public static class JsonNumber
{
    /// <summary>Room that is always enough for one number.</summary>
    public const int MaxLength = 32;

    private static readonly UInt128[] Pow10 = BuildPowers();

    /// <summary>Writes <paramref name="value"/> (finite) into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes).</summary>
    public static int Format(double value, Span<byte> destination)
    {
        var abs = Math.Abs(value);
        if (!(abs >= 1e-4 && abs < 1e15))
        {
            if (value == 0 && !double.IsNegative(value))
            {
                destination[0] = (byte)'0';
                return 1;
            }
            Utf8Formatter.TryFormat(value, destination, out var written);
            return written;
        }
        var bits = BitConverter.DoubleToUInt64Bits(abs);
        var ieeeExponent = (int)(bits >> 52);
        var ieeeMantissa = bits & ((1UL << 52) - 1);
        // abs = m2 * 2^e2 exactly; here e2 is in [-66, -3].
        var m2 = ieeeMantissa | (1UL << 52);
        var e2 = ieeeExponent - 1075;
        var acceptBounds = (m2 & 1) == 0;
        // The interval of reals that round to abs, in units of 2^(e2-2): (mm, mp) around mv, closed when m2 is even.
        var mv = 4 * m2;
        var mm = mv - 1 - (ieeeMantissa != 0 || ieeeExponent <= 1 ? 1UL : 0UL);
        var mp = mv + 2;
        // Scale by 10^q (q = -e10) so the interval spans at least ten units: exact in 128 bits (10^21 * 2^55 < 2^128).
        var e10 = (int)Math.Floor(e2 * 0.30102999566398119521) - 1;
        var q = -e10;
        var shift = 2 - e2;
        var mask = (UInt128.One << shift) - 1;
        var p = Pow10[q];
        var xr = mv * p;
        var xp = mp * p;
        var xm = mm * p;
        var vr = (ulong)(xr >> shift);
        var vp = (ulong)(xp >> shift);
        var vm = (ulong)(xm >> shift);
        var vrIsTrailingZeros = (xr & mask) == 0;
        var vmIsTrailingZeros = acceptBounds && (xm & mask) == 0;
        if (!acceptBounds && (xp & mask) == 0)
        {
            vp--; // the upper bound itself does not round to abs
        }

        // Drop digits while the interval still holds a shorter decimal; round the last kept digit.
        var removed = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            ulong lastRemovedDigit = 0;
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = vr % 10;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            if (vmIsTrailingZeros)
            {
                while (vm % 10 == 0)
                {
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = vr % 10;
                    vr /= 10;
                    vp /= 10;
                    vm /= 10;
                    removed++;
                }
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
            {
                lastRemovedDigit = 4; // exactly half way: round to even
            }
            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1UL : 0UL);
        }
        else
        {
            var roundUp = false;
            while (vp / 10 > vm / 10)
            {
                roundUp = vr % 10 >= 5;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        var exponent = e10 + removed;

        // Plain notation (what the runtime uses in this range): digits, then the point or trailing zeros.
        Span<byte> digits = stackalloc byte[20];
        var length = 0;
        do
        {
            digits[19 - length++] = (byte)('0' + (int)(output % 10));
            output /= 10;
        }
        while (output != 0);
        var source = digits[(20 - length)..];
        var at = 0;
        if (value < 0)
        {
            destination[at++] = (byte)'-';
        }
        var point = length + exponent;
        if (exponent >= 0)
        {
            source.CopyTo(destination[at..]);
            at += length;
            destination.Slice(at, exponent).Fill((byte)'0');
            at += exponent;
        }
        else if (point > 0)
        {
            source[..point].CopyTo(destination[at..]);
            at += point;
            destination[at++] = (byte)'.';
            source[point..].CopyTo(destination[at..]);
            at += length - point;
        }
        else
        {
            destination[at++] = (byte)'0';
            destination[at++] = (byte)'.';
            destination.Slice(at, -point).Fill((byte)'0');
            at += -point;
            source.CopyTo(destination[at..]);
            at += length;
        }
        return at;
    }

    private static UInt128[] BuildPowers()
    {
        var powers = new UInt128[23];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }
        return powers;
    }
}
