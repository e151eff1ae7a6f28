namespace Optimizer.Benchmarks.Compiled;

/// <summary>A real model's convolution (symmetric padding, no dilation) as <see cref="ConvKernelBenchmarks"/> times it.</summary>
internal sealed record ConvBenchmarkShape(int N, int C, int H, int W, int M, int KH, int KW, int PadTop, int PadLeft,
    int StrideH = 1, int StrideW = 1, int Group = 1)
{
    /// <summary>By name: the digits CNN's two convs at batch 1 and 64, the wake-word embedding's, the OCR classifier's depthwise ones, PP-OCRv4 det's and rec's largest.</summary>
    public static readonly Dictionary<string, ConvBenchmarkShape> All = new()
    {
        ["digits conv1 b1"] = new(1, 1, 8, 8, 16, 3, 3, 1, 1),
        ["digits conv1 b64"] = new(64, 1, 8, 8, 16, 3, 3, 1, 1),
        ["digits conv2 b1"] = new(1, 16, 4, 4, 32, 3, 3, 1, 1),
        ["digits conv2 b64"] = new(64, 16, 4, 4, 32, 3, 3, 1, 1),
        ["wake-word conv1 b1"] = new(1, 1, 76, 32, 24, 3, 3, 0, 1),
        ["wake-word 48ch 3x1 b1"] = new(1, 48, 36, 16, 48, 3, 1, 0, 0),
        ["wake-word 96ch 1x3 b1"] = new(1, 96, 14, 4, 96, 1, 3, 0, 1),
        ["ocr-cls dw 88ch 5x5 /2,1 b1"] = new(1, 88, 8, 64, 88, 5, 5, 2, 2, 2, 1, 88),
        ["ocr-cls dw 200ch 5x5 b1"] = new(1, 200, 4, 64, 200, 5, 5, 2, 2, 1, 1, 200),
        // PP-OCRv4 det at 320×320 and rec at 48×320 (batch 1): the heaviest convs, which run block by block.
        ["ocr-det 96->24 3x3 80x80 b1"] = new(1, 96, 80, 80, 24, 3, 3, 1, 1),
        ["ocr-det 96->24 3x3 40x40 b1"] = new(1, 96, 40, 40, 24, 3, 3, 1, 1),
        ["ocr-det 3->16 3x3 /2 320x320 b1"] = new(1, 3, 320, 320, 16, 3, 3, 1, 1, 2, 2),
        ["ocr-det 1x1 16->32 160x160 b1"] = new(1, 16, 160, 160, 32, 1, 1, 0, 0),
        ["ocr-det 1x1 48->48 80x80 b1"] = new(1, 48, 80, 80, 48, 1, 1, 0, 0),
        ["ocr-rec 1x1 480 6x80 b1"] = new(1, 480, 6, 80, 480, 1, 1, 0, 0),
        ["ocr-rec 1x1 240 12x80 b1"] = new(1, 240, 12, 80, 240, 1, 1, 0, 0),
        ["ocr-rec 1x1 128 12x160 b1"] = new(1, 128, 12, 160, 128, 1, 1, 0, 0),
        // Not a model's: a 1×1 conv whose GEMM (128 × 384 × 384, arctic's attention projection at 128 tokens) runs at the GEMM's peak.
        [PeakReference] = new(1, 384, 16, 24, 128, 1, 1, 0, 0),
    };

    /// <summary>The shape whose GEMM row is the fp32 peak the convs are held against.</summary>
    public const string PeakReference = "peak: 1x1 = GEMM 128x384x384";

    public int OH => (H + 2 * PadTop - KH) / StrideH + 1;

    public int OW => (W + 2 * PadLeft - KW) / StrideW + 1;

    /// <summary>im2col rows: the GEMM's k.</summary>
    public int K => C / Group * KH * KW;

    public double Flops => 2.0 * M * K * N * OH * OW;
}
