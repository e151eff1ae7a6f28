namespace Digits;

/// <summary>The 450 digits test images (8×8 float32, raw little-endian) and their labels.</summary>
internal sealed record DigitsData(float[] Pixels, byte[] Labels)
{
    public const int PixelsPerImage = 64;

    public int Count => Labels.Length;

    public static DigitsData Load(string folder)
    {
        var bytes = File.ReadAllBytes(Path.Combine(folder, "digits_test_x_450x64.f32"));
        var pixels = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the data files are little-endian");
        var labels = File.ReadAllBytes(Path.Combine(folder, "digits_test_y_450.u8"));
        if (pixels.Length != labels.Length * PixelsPerImage)
            throw new InvalidDataException($"{pixels.Length} pixels do not make {labels.Length} 8×8 images");
        return new DigitsData(pixels, labels);
    }

    public float[] Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage).ToArray();
}
