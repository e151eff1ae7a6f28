using System.Diagnostics;
using System.Security.Cryptography;
using Optimizer.Runtime.Compiled;

// Runs the compiled kernel programs the engine wrote for the digits models (fp32 and static INT8)
// on the 450 test images and prints the kernel paths, accuracy and a hash of the logits, so runs
// with DOTNET_EnableAVXVNNI=0 / EnableAVX2=0 can be compared bit for bit; then times the int8 and
// fp32 GEMM kernels on one thread (best of 20) for GOP/s.
KernelDispatch.MaxThreads = 1;
Console.WriteLine($"kernel paths: {KernelDispatch.Current}");
var folder = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "models");
var bytes = File.ReadAllBytes(Path.Combine(folder, "digits_test_x_450x64.f32"));
var pixels = new float[bytes.Length / 4];
Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
var labels = File.ReadAllBytes(Path.Combine(folder, "digits_test_y_450.u8"));
foreach (var file in Directory.GetFiles(folder, "*.kernels").OrderBy(f => f, StringComparer.Ordinal))
{
    using var stream = File.OpenRead(file);
    var program = KernelProgram.Load(stream);
    using var executor = new KernelExecutor(program);
    var logits = new float[labels.Length * 10];
    executor.Run(labels.Length, new Array[] { pixels }, new Array[] { logits });
    var correct = 0;
    for (var i = 0; i < labels.Length; i++)
    {
        var row = logits.AsSpan(i * 10, 10);
        var best = 0;
        for (var j = 1; j < 10; j++) if (row[j] > row[best]) best = j;
        if (best == labels[i]) correct++;
    }
    var hash = Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(logits.AsSpan())))[..16];
    Console.WriteLine($"{Path.GetFileName(file)}: top-1 {100.0 * correct / labels.Length:0.00}%, logits sha256 {hash}");
}

foreach (var (m, n, k) in new[] { (64, 1024, 1024), (256, 1024, 1024) })
{
    var random = new Random(3);
    var a = Enumerable.Range(0, m * k).Select(_ => (byte)random.Next(256)).ToArray();
    var b = Enumerable.Range(0, n * k).Select(_ => (sbyte)random.Next(-64, 64)).ToArray();
    var packed = new byte[Kernels.PackedInt8BLength(k, n)];
    Kernels.PackInt8B(b, packed, k, n, 1);
    var bias = new int[n];
    var scale = Enumerable.Repeat(1e-4f, n).ToArray();
    var y = new byte[m * n];
    var fa = a.Select(v => (float)v).ToArray();
    var fpacked = new float[Kernels.PackedBLength(k, n)];
    Kernels.PackB(b.Select(v => (float)v).ToArray(), fpacked, 1, k, n, 1, n * k);
    var fy = new float[m * n];
    double Best(Action run)
    {
        for (var i = 0; i < 5; i++) run();
        var best = double.MaxValue;
        for (var i = 0; i < 20; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
    var ops = 2.0 * m * n * k;
    var int8 = Best(() => Kernels.QGemm(a, packed, bias, scale, y, m, n, k, k, 0, 0, 0));
    var fp32 = Best(() => Kernels.Gemm(fa, fpacked, [], fy, 1, m, n, k, 0, 0, 0, 0, 1f, 0f, 0f));
    Console.WriteLine($"GEMM {m}x{n}x{k}, 1 thread: int8 {ops / int8 / 1e9:0.0} GOP/s, fp32 {ops / fp32 / 1e9:0.0} GFLOP/s, int8/fp32 time {int8 / fp32:0.00}");
}
