// The linked schema files (Optimizer.Runtime's attributes) are written for implicit usings, which
// this netstandard2.0 project turns off.
global using System;
