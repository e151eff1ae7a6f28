using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    private readonly unsafe partial struct QGemmJob
    {
        /// <summary>
        /// Requantizes a tile's rows, 16 columns at a time, with vector arithmetic (the same float
        /// operations, in the same order, as the scalar loop, so every path gives the same bytes),
        /// then writes its <paramref name="cols"/> columns: contiguously for a GEMM, or for a
        /// convolution's transposed output (rows are pixels, adjacent in NCHW) four pixels of a
        /// channel as one 4-byte write.
        /// </summary>
        // Fully optimized from the first call: at tier 0 its vector code is several times slower, and a short run may never tier up.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StoreQuantizedTile(int* acc, int row0, int rows, int col0, int cols, float lo, float hi)
        {
            var (bias0, bias1, scale0, scale1) = TileColumns(col0, cols);
            var zero = Vector256.Create((float)yZero);
            var low = Vector256.Create(lo);
            var high = Vector256.Create(hi);
            var tile = stackalloc byte[4 * PanelWidth];
            if (Avx2.IsSupported)
            {
                // Two rows per pack; an odd last row is packed with itself (the tile has room for 4 rows).
                var requantize = new RequantizeAvx2(lo, hi, yZero, signed: outputKind == 1);
                for (var r = 0; r < rows; r += 2)
                {
                    var a = acc + r * PanelWidth;
                    var b = acc + Math.Min(r + 1, rows - 1) * PanelWidth;
                    requantize.Pack(
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(a), bias0)), scale0),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(a + 8), bias1)), scale1),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(b), bias0)), scale0),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(b + 8), bias1)), scale1)).Store(tile + r * PanelWidth);
                }
            }

            for (var r = 0; r < rows && !Avx2.IsSupported; r++)
            {
                var v0 = Vector256.ConvertToSingle(Vector256.Load(acc + r * PanelWidth) + bias0) * scale0;
                var v1 = Vector256.ConvertToSingle(Vector256.Load(acc + r * PanelWidth + 8) + bias1) * scale1;
                v0 = Vector256.Min(Vector256.Max(Vector256.Round(v0) + zero, low), high);
                v1 = Vector256.Min(Vector256.Max(Vector256.Round(v1) + zero, low), high);
                var shorts = Vector256.Narrow(Vector256.ConvertToInt32(v0), Vector256.ConvertToInt32(v1)).AsUInt16();
                Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).Store(tile + r * PanelWidth);
            }

            if (yColStride == 1)
            {
                for (var r = 0; r < rows; r++)
                {
                    Unsafe.CopyBlockUnaligned(y + (row0 + r) * yRowStride + col0, tile + r * PanelWidth, (uint)cols);
                }
            }
            else if (yRowStride == 1 && rows == 4)
            {
                for (var c = 0; c < cols; c++)
                {
                    var pixels = tile[c] | (uint)tile[PanelWidth + c] << 8 | (uint)tile[2 * PanelWidth + c] << 16 | (uint)tile[3 * PanelWidth + c] << 24;
                    Unsafe.WriteUnaligned(y + row0 + (col0 + c) * yColStride, pixels);
                }
            }
            else
            {
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < cols; c++)
                    {
                        y[(row0 + r) * yRowStride + (col0 + c) * yColStride] = tile[r * PanelWidth + c];
                    }
                }
            }
        }

        /// <summary>The tile's bias and scale as two 8-lane halves; columns past <paramref name="cols"/> get bias 0 and scale 1 (their bytes are not written).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (Vector256<int>, Vector256<int>, Vector256<float>, Vector256<float>) TileColumns(int col0, int cols)
        {
            if (cols == PanelWidth)
            {
                return (Vector256.Load(bias + col0), Vector256.Load(bias + col0 + 8),
                    scale == null ? Vector256<float>.One : Vector256.Load(scale + col0), scale == null ? Vector256<float>.One : Vector256.Load(scale + col0 + 8));
            }

            var b = stackalloc int[PanelWidth];
            var s = stackalloc float[PanelWidth];
            for (var c = 0; c < PanelWidth; c++)
            {
                b[c] = c < cols ? bias[col0 + c] : 0;
                s[c] = c < cols && scale != null ? scale[col0 + c] : 1f;
            }

            return (Vector256.Load(b), Vector256.Load(b + 8), Vector256.Load(s), Vector256.Load(s + 8));
        }
    }
}
