/** @type {import('tailwindcss').Config} */
export default {
  content: ['./resources/views/**/*.edge', './resources/js/**/*.js'],
  theme: {
    extend: {
      colors: {
        brand: {
          50: '#eef5ff',
          100: '#d9e8ff',
          500: '#3b6cf6',
          600: '#2a55e0',
          700: '#2244b5',
          900: '#172b6b',
        },
      },
    },
  },
  plugins: [],
}
