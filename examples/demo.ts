// Placeholder demo; replaced by the real walkthrough.
console.log('corio demo: nothing to show yet');
