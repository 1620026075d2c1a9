// Placeholder until the native addon lands: never fails the install.
console.log("@samlab/tfjs-backend-native: native build not set up yet")
